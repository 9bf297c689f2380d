/**
 * Where a server's CPU goes under the browser-like load: `npx tsx bench/profile.ts [server]
 * [workload] [seconds]` (defaults: sessionkit read-write 10) starts bench/servers/<server>.ts
 * with `--cpu-prof` on core 1, loads it from core 0 with bench/load.ts, stops it, and prints
 * the V8 CPU profile summed by step (inclusive time of marker functions) and the functions
 * with the most self time, in µs per request. The profile is kept in
 * $TMPDIR/sessionkit-bench-profiles/ for Chrome DevTools.
 *
 * Sampling (one sample per 100 µs) attributes time statistically; steps are
 * measured inclusive, so a step nested in another (open inside read) is counted in both.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Load, readMostly, readWrite } from './load.ts';
import { routes } from './servers/common.ts';
import type { CpuReport } from './servers/common.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A step of a request, found as the inclusive time of the first matching frame on a stack. */
interface Marker {
  step: string;
  match: (frame: CallFrame) => boolean;
}

const inFile =
  (file: string, ...names: string[]) =>
  (frame: CallFrame) =>
    frame.url.endsWith(file) && (names.length === 0 || names.includes(frame.functionName));

/** The steps the docs name, for the sessionkit server; other servers get the generic ones. */
const markers: Marker[] = [
  { step: 'cookie parse (cookieValues)', match: inFile('/src/cookies/parse.ts') },
  {
    step: 'open (unseal, cache, JSON, timeouts)',
    match: inFile('cookie-store.ts', 'read', 'readSync'),
  },
  { step: '  of which unseal (AEAD)', match: inFile('/src/crypto/seal.ts', 'unseal') },
  { step: 'handler (route)', match: inFile('servers/sessionkit.ts', 'route') },
  {
    step: 'seal (JSON, AEAD, base64url)',
    match: inFile('cookie-store.ts', 'write', 'touch', 'writeSync', 'touchSync'),
  },
  { step: '  of which AEAD, nonce, base64url', match: inFile('/src/crypto/seal.ts', 'seal') },
  {
    step: 'Set-Cookie (respond, sessionCookie)',
    match: inFile('wrap-session.ts', 'respond'),
  },
  { step: 'host: toRequest', match: inFile('node-request.ts', 'toRequest') },
  { step: 'host: send (headers, end, socket write)', match: inFile('node-response.ts', 'send') },
  { step: 'garbage collector', match: (f) => f.functionName === '(garbage collector)' },
];

/** Self time by function and inclusive time by marker, µs. */
function summarize(
  profile: CpuProfile,
  from: number,
  to: number,
): {
  total: number;
  idle: number;
  steps: Map<string, number>;
  self: Map<string, number>;
} {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const steps = new Map<string, number>(markers.map((m) => [m.step, 0]));
  const self = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    if (at < from || at >= to) return;
    const leaf = byId.get(id)!;
    const { functionName, url, lineNumber } = leaf.callFrame;
    if (functionName === '(idle)') {
      idle += dt;
      return;
    }
    total += dt;
    const where =
      url === ''
        ? ''
        : ` ${url.replace(/^.*\/(node_modules|src|bench)\//, '$1/')}:${lineNumber + 1}`;
    const key = `${functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const seen = new Set<string>();
    for (let node: ProfileNode | undefined = leaf; node !== undefined;) {
      for (const marker of markers) {
        if (!seen.has(marker.step) && marker.match(node.callFrame)) {
          seen.add(marker.step);
          steps.set(marker.step, steps.get(marker.step)! + dt);
        }
      }
      const up = parent.get(node.id);
      node = up === undefined ? undefined : byId.get(up);
    }
  });
  return { total, idle, steps, self };
}

function cpuMicros(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (message: CpuReport) => resolve(message.cpuMicros));
    child.send('cpu');
  });
}

async function main(): Promise<void> {
  const [server = 'sessionkit', workloadName = 'read-write', secondsArg = '10'] =
    process.argv.slice(2);
  const workload = workloadName === 'read-mostly' ? readMostly : readWrite;
  const seconds = Number(secondsArg);
  const dir = join(tmpdir(), 'sessionkit-bench-profiles', `${server}-${workload.name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let prefix: string[] = [];
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    prefix = ['taskset', '-c', '1'];
  } catch {
    // not pinned
  }
  const file = fileURLToPath(new URL(`./servers/${server}.ts`, import.meta.url));
  const [command, ...args] = [
    ...prefix,
    process.execPath,
    '--cpu-prof',
    '--cpu-prof-interval=100',
    `--cpu-prof-dir=${dir}`,
    '--import',
    'tsx',
    file,
  ];
  const child: ChildProcess = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8');
    child.stdout!.once('data', (line: string) => resolve(Number(line.trim())));
    child.once('exit', () => reject(new Error(`bench: ${server} exited before listening`)));
  });
  const load = new Load({ port, paths: routes, sessions: server !== 'bare' }, workload, 64);
  await sleep(2000);
  // V8 stamps samples with the monotonic clock in µs, the clock of process.hrtime: the
  // window is cut out of the profile by time, leaving start-up and warm-up out.
  const from = Number(process.hrtime.bigint() / 1000n);
  const cpuBefore = await cpuMicros(child);
  const before = load.counts().responses;
  await sleep(seconds * 1000);
  const requests = load.counts().responses - before;
  const cpu = (await cpuMicros(child)) - cpuBefore;
  const to = Number(process.hrtime.bigint() / 1000n);
  await load.stop();
  load.check();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('stop');
  await exited;
  const [profileFile] = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (profileFile === undefined) throw new Error(`bench: no profile written to ${dir}`);
  const { total, idle, steps, self } = summarize(
    JSON.parse(readFileSync(join(dir, profileFile), 'utf8')) as CpuProfile,
    from,
    to,
  );
  const cpuPerRequest = cpu / requests;
  // Samples are wall-clock: time the process was preempted lands on whatever it was doing.
  // Shares of the sampled busy time are scaled to the CPU time the kernel counted.
  const perRequest = (us: number): string => ((us / total) * cpuPerRequest).toFixed(2);
  const share = (us: number): string => `${((us / total) * 100).toFixed(1)}%`;
  console.log(
    `${server}, ${workload.name}: ${requests} requests in ${seconds} s measured after 2 s of warm-up; profile ${join(dir, profileFile)}`,
  );
  console.log(
    `server CPU ${cpuPerRequest.toFixed(1)} µs per request; sampled busy ${(total / requests).toFixed(1)} µs, idle ${(idle / requests).toFixed(1)} µs per request (wall clock)\n`,
  );
  console.log('| step (inclusive) | CPU µs/req | share |\n| --- | ---: | ---: |');
  for (const [step, us] of steps) {
    if (us > 0) console.log(`| ${step} | ${perRequest(us)} | ${share(us)} |`);
  }
  console.log('\n| function (self time) | CPU µs/req | share |\n| --- | ---: | ---: |');
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.log(`| ${name} | ${perRequest(us)} | ${share(us)} |`);
  }
}

await main();
