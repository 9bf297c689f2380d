/**
 * HTTP on 127.0.0.1, browser-like: every contender's server in its own child process
 * (bench/servers/*.ts) pinned to core 1, the load generator (bench/load.ts: virtual users, each
 * with its own keep-alive connection and cookie jar) here, pinned to core 0. Two workloads,
 * read-write and read-mostly, run against every contender, rounds interleaved; the table gives
 * requests per second and server CPU per request, each as a ratio to bare node:http in the
 * same run, then the issue's goals, and the chart is written to docs/benchmark.svg.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderChart } from './chart.ts';
import { Load, readMostly, readWrite } from './load.ts';
import type { LoadCounts, Workload } from './load.ts';
import { formatTable, median, pinning, ServerProcess } from './process.ts';
import { routes } from './servers/common.ts';

/** A contender: a server file and how to read its answers. */
interface Contender {
  name: string;
  /** The file in bench/servers/ without `.ts`. */
  server: string;
  /** Added to the server's environment. */
  env?: Record<string, string>;
  /** False for the bare server: no session, bodies not checked. */
  sessions: boolean;
}

const contenders: readonly Contender[] = [
  { name: 'bare node:http', server: 'bare', sessions: false },
  { name: 'sessionkit (node:http, cookie store)', server: 'sessionkit', sessions: true },
  {
    name: 'sessionkit, node:crypto only',
    server: 'sessionkit',
    env: { BENCH_PROVIDER: 'node:crypto' },
    sessions: true,
  },
  {
    name: 'fastify + @fastify/secure-session',
    server: 'fastify-secure-session',
    sessions: true,
  },
  { name: 'express + express-session (memory)', server: 'express-session', sessions: true },
  { name: 'express + cookie-session', server: 'cookie-session', sessions: true },
  { name: 'node:http + iron-session', server: 'iron-session', sessions: true },
];

const workloads: readonly Workload[] = [readWrite, readMostly];

const bare = contenders[0]!;
const sessionkit = contenders[1]!;
const fastify = contenders[3]!;

/** The issue's goals: `ours` ÷ `theirs` in req/s, same workload, at least `target`. */
const goals = [
  { workload: readWrite, ours: sessionkit, theirs: fastify, target: 1.2 },
  { workload: readMostly, ours: sessionkit, theirs: fastify, target: 1.3 },
  { workload: readMostly, ours: sessionkit, theirs: bare, target: 0.8 },
] as const;

/** A server whose core was at least this busy set the pace itself. */
const saturated = 0.85;

/** Where `npm run bench` writes the chart. */
const chartPath = fileURLToPath(new URL('../docs/benchmark.svg', import.meta.url));

/** One measured window of one contender under one workload. */
export interface HttpResult {
  contender: string;
  workload: string;
  requestsPerSecond: number;
  /** Server CPU (user + system) per answered request, µs. */
  serverCpuMicros: number;
  /** The server's CPU over the window, as a share of one core: near 100 % when it is the bottleneck. */
  serverCpuShare: number;
  /** The load generator's CPU over the window, as a share of one core. */
  loadCpuShare: number;
  /** Share of answers that carried a Set-Cookie. */
  setCookieShare: number;
  /** Mean request size, bytes. */
  requestBytes: number;
}

/** The environment variables that shorten or change a run. */
const settingNames = ['BENCH_SECONDS', 'BENCH_ROUNDS', 'BENCH_USERS'] as const;

interface Settings {
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  users: number;
}

/**
 * `BENCH_SECONDS`: measured seconds per window (default 2); `BENCH_ROUNDS`: interleaved rounds
 * (default 3), the median kept, so that a spell of other work on a shared machine skews one
 * window rather than the table; `BENCH_USERS`: virtual users (default 64).
 */
function settings(): Settings {
  const number = (name: string, fallback: number, min: number, max: number): number => {
    const raw = process.env[name];
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(
        `bench: ${name} is invalid: got ${raw}, expected a whole number ${min}–${max}`,
      );
    }
    return value;
  };
  return {
    seconds: number('BENCH_SECONDS', 2, 1, 60),
    warmupSeconds: 1,
    rounds: number('BENCH_ROUNDS', 3, 1, 9),
    users: number('BENCH_USERS', 64, 1, 1000),
  };
}

// ---------------------------------------------------------------------------------------
// One window

/**
 * Loads one server with one workload: the virtual users start (their first request creates
 * their session), run `warmupSeconds`, then `seconds` are measured, then they stop and every
 * answer they got is known to have been checked.
 */
async function measure(
  contender: Contender,
  workload: Workload,
  server: ServerProcess,
  { seconds, warmupSeconds, users }: Settings,
): Promise<HttpResult> {
  const load = new Load(
    { port: server.port, paths: routes, sessions: contender.sessions },
    workload,
    users,
  );
  try {
    await sleep(warmupSeconds * 1000);
    load.check();
    const before = snapshot(load, await server.cpuMicros());
    await sleep(seconds * 1000);
    const after = snapshot(load, await server.cpuMicros());
    load.check();
    const elapsed = (after.at - before.at) / 1000;
    const responses = after.counts.responses - before.counts.responses;
    if (responses === 0) throw new Error(`bench: ${contender.name} answered nothing`);
    const loadCpu = after.loadCpu - before.loadCpu;
    return {
      contender: contender.name,
      workload: workload.name,
      requestsPerSecond: responses / elapsed,
      serverCpuMicros: (after.serverCpu - before.serverCpu) / responses,
      serverCpuShare: (after.serverCpu - before.serverCpu) / (elapsed * 1e6),
      loadCpuShare: loadCpu / (elapsed * 1e6),
      setCookieShare: (after.counts.withSetCookie - before.counts.withSetCookie) / responses,
      requestBytes: (after.counts.requestBytes - before.counts.requestBytes) / responses,
    };
  } finally {
    await load.stop();
  }
}

interface Snapshot {
  at: number;
  counts: LoadCounts;
  serverCpu: number;
  loadCpu: number;
}

function snapshot(load: Load, serverCpu: number): Snapshot {
  const { user, system } = process.cpuUsage();
  return { at: performance.now(), counts: load.counts(), serverCpu, loadCpu: user + system };
}

// ---------------------------------------------------------------------------------------
// Report

/** The result of a contender under a workload. */
function find(
  results: readonly HttpResult[],
  contender: Contender,
  workload: Workload,
): HttpResult {
  const found = results.find((r) => r.contender === contender.name && r.workload === workload.name);
  if (found === undefined)
    throw new Error(`bench: no result for ${contender.name}, ${workload.name}`);
  return found;
}

function printResults(results: readonly HttpResult[]): void {
  for (const workload of workloads) {
    const base = find(results, bare, workload);
    console.log(`\n### ${workload.name}: ${workload.description}\n`);
    console.log(
      formatTable(
        [
          'server',
          'req/s',
          '× bare req/s',
          'server CPU µs/req',
          '× bare CPU',
          'Set-Cookie',
          'server busy',
          'load-gen busy',
        ],
        contenders.map((contender) => {
          const r = find(results, contender, workload);
          return [
            contender.name,
            Math.round(r.requestsPerSecond).toLocaleString('en-US'),
            `${(r.requestsPerSecond / base.requestsPerSecond).toFixed(2)}×`,
            r.serverCpuMicros.toFixed(1),
            `${(base.serverCpuMicros / r.serverCpuMicros).toFixed(2)}×`,
            `${Math.round(r.setCookieShare * 100)}%`,
            `${Math.round(r.serverCpuShare * 100)}%`,
            `${Math.round(r.loadCpuShare * 100)}%`,
          ];
        }),
      ),
    );
  }
  const starved = results.filter((r) => r.serverCpuShare < saturated);
  if (starved.length > 0) {
    console.log(
      `\n(server busy < ${saturated * 100}% for ${starved.map((r) => `${r.contender} ${r.workload}`).join('; ')}: the generator or other processes on the machine limited it; its CPU µs/req is the steadier figure)`,
    );
  }
  console.log(
    '\n"× bare CPU" is bare node:http\'s server CPU per request ÷ this one\'s: the req/s ratio the server would reach if it alone limited throughput.',
  );
  console.log(
    `\nGoals. The req/s ratio decides when both servers kept their core at least ${saturated * 100}% busy; otherwise other work on the machine, not the server, set the pace, and the server-CPU ratio decides (marked "by CPU"):`,
  );
  for (const { workload, ours, theirs, target } of goals) {
    const a = find(results, ours, workload);
    const b = find(results, theirs, workload);
    const ratio = a.requestsPerSecond / b.requestsPerSecond;
    const cpuRatio = b.serverCpuMicros / a.serverCpuMicros;
    const byRequests = a.serverCpuShare >= saturated && b.serverCpuShare >= saturated;
    const decisive = byRequests ? ratio : cpuRatio;
    console.log(
      `  ${decisive >= target ? 'MET   ' : 'MISSED'}  ${workload.name}: sessionkit ≥ ${target}× ${theirs.name}: req/s ${ratio.toFixed(2)}×, server CPU ${cpuRatio.toFixed(2)}×${byRequests ? '' : ` (by CPU: servers ${Math.round(a.serverCpuShare * 100)}% and ${Math.round(b.serverCpuShare * 100)}% busy)`}`,
    );
  }
}

function writeChart(results: readonly HttpResult[], notes: string[]): void {
  const svg = renderChart({
    title:
      'sessionkit vs peers: browser-like HTTP load, ratio to bare node:http (higher is better)',
    notes,
    groups: contenders
      .filter((c) => c !== bare)
      .map((contender) => ({
        label: contender.name,
        bars: workloads.map((workload) => {
          const r = find(results, contender, workload);
          const base = find(results, bare, workload);
          return {
            series: workload.name,
            ratio: r.requestsPerSecond / base.requestsPerSecond,
            cpuRatio: base.serverCpuMicros / r.serverCpuMicros,
            cpuMicros: r.serverCpuMicros,
          };
        }),
      })),
  });
  writeFileSync(chartPath, svg);
  console.log(`\nChart written to docs/benchmark.svg`);
}

/**
 * Starts every contender's server (pinned to core 1), then, round by round, runs each
 * workload against each contender with `BENCH_USERS` virtual users for a 1 s warm-up and
 * `BENCH_SECONDS` measured; prints the tables and the goals, writes the chart, and stops every
 * server, also on error. About (1 + BENCH_SECONDS) × 12 × BENCH_ROUNDS seconds: 2 minutes by
 * default.
 */
export async function runHttpBench(): Promise<HttpResult[]> {
  const config = settings();
  const { serverPrefix, note, restore } = pinning();
  const servers = new Map(
    contenders.map((c) => [
      c.name,
      new ServerProcess(c.server, { prefix: serverPrefix, env: c.env ?? {} }),
    ]),
  );
  const killAll = (): void => servers.forEach((s) => s.kill());
  process.once('exit', killAll);
  try {
    await Promise.all([...servers.values()].map((s) => s.started()));
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    const how = `${config.users} virtual users (one keep-alive connection and cookie jar each), ${config.warmupSeconds} s warm-up + ${config.seconds} s measured per window, median of ${config.rounds} interleaved rounds; ${note}`;
    console.log(`HTTP on 127.0.0.1: ${how}. Load average at start: ${load}.`);
    const runs = new Map<string, HttpResult[]>();
    for (let round = 0; round < config.rounds; round++) {
      for (const workload of workloads) {
        for (const contender of contenders) {
          const result = await measure(contender, workload, servers.get(contender.name)!, config);
          const key = `${contender.name}\n${workload.name}`;
          runs.set(key, [...(runs.get(key) ?? []), result]);
        }
      }
      process.stdout.write(`(round ${round + 1} of ${config.rounds} done)\n`);
    }
    const results = [...runs.values()].map((all): HttpResult => {
      const { contender, workload } = all[0]!;
      return {
        contender,
        workload,
        requestBytes: median(all.map((r) => r.requestBytes)),
        requestsPerSecond: median(all.map((r) => r.requestsPerSecond)),
        serverCpuMicros: median(all.map((r) => r.serverCpuMicros)),
        serverCpuShare: median(all.map((r) => r.serverCpuShare)),
        loadCpuShare: median(all.map((r) => r.loadCpuShare)),
        setCookieShare: median(all.map((r) => r.setCookieShare)),
      };
    });
    printResults(results);
    // The committed chart is drawn from full runs only: a quick one does not replace it.
    if (settingNames.some((name) => process.env[name] !== undefined)) {
      console.log(`\nChart not written: ${settingNames.join(', ')} set, not a full run`);
    } else {
      const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
      writeChart(results, [
        `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpu} × ${cpus().length}, load average ${load} at start`,
        how,
        `read-write: ${readWrite.description}; read-mostly: ${readMostly.description}`,
      ]);
    }
    return results;
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    process.removeListener('exit', killAll);
    restore();
  }
}
