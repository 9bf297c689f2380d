/**
 * HTTP on 127.0.0.1, browser-like: every contender's server in its own child process
 * (bench/servers/*.ts) pinned to core 1, the load generator (bench/load.ts: virtual users, each
 * with its own keep-alive connection and cookie jar) here, pinned to core 0. Two workloads,
 * read-write and read-mostly, run against every contender, rounds interleaved; the table gives
 * requests per second and server CPU per request, each as a ratio to bare node:http in the
 * same run, then the issue's goals, and the chart is written to docs/benchmark.svg.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderChart } from './chart.ts';
import { Load, readMostly, readWrite } from './load.ts';
import type { LoadCounts, Workload } from './load.ts';
import { routes } from './servers/common.ts';
import type { CpuReport } from './servers/common.ts';

/** A contender: a server file and how to read its answers. */
interface Contender {
  name: string;
  /** The file in bench/servers/ without `.ts`. */
  server: string;
  /** False for the bare server: no session, bodies not checked. */
  sessions: boolean;
}

const contenders: readonly Contender[] = [
  { name: 'bare node:http', server: 'bare', sessions: false },
  { name: 'sessionkit (node:http, cookie store)', server: 'sessionkit', sessions: true },
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
const fastify = contenders[2]!;

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
// Cores

/**
 * Pins this process (every thread: the generator) to core 0 and answers the command prefix
 * that starts a server on core 1. Without two cores or `taskset`, nothing is pinned and the
 * report says so.
 */
function pinning(): { serverPrefix: string[]; note: string } {
  if (availableParallelism() < 2) return { serverPrefix: [], note: 'not pinned (one core)' };
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    return {
      serverPrefix: ['taskset', '-c', '1'],
      note: 'each server pinned to core 1, the load generator to core 0',
    };
  } catch {
    return { serverPrefix: [], note: 'not pinned (taskset failed or is missing)' };
  }
}

// ---------------------------------------------------------------------------------------
// Child processes

const serversDir = fileURLToPath(new URL('./servers/', import.meta.url));
const startTimeoutMs = 30_000;
const ipcTimeoutMs = 5_000;

/** A running bench server. */
class ServerProcess {
  readonly name: string;
  readonly #child: ChildProcess;
  port = 0;

  constructor(name: string, prefix: readonly string[]) {
    this.name = name;
    const args = ['--import', 'tsx'];
    // BENCH_CPU_PROF=<server file name> writes a V8 CPU profile of that server to
    // $TMPDIR/sessionkit-bench-profiles/ when it stops.
    if (process.env.BENCH_CPU_PROF === name) {
      args.push('--cpu-prof', `--cpu-prof-dir=${join(tmpdir(), 'sessionkit-bench-profiles')}`);
    }
    args.push(`${serversDir}${name}.ts`);
    const [command, ...rest] = [...prefix, process.execPath, ...args];
    this.#child = spawn(command!, rest, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  }

  /** Resolves once the server printed its port. */
  started(): Promise<void> {
    const child = this.#child;
    return withTimeout(
      new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout?.setEncoding('utf8');
        child.stdout?.on('data', (chunk: string) => {
          out += chunk;
          const newline = out.indexOf('\n');
          if (newline === -1) return;
          const line = out.slice(0, newline);
          this.port = Number(line);
          if (Number.isInteger(this.port) && this.port > 0) resolve();
          else reject(new Error(`bench: server ${this.name} printed ${JSON.stringify(line)}`));
        });
        child.once('exit', (code) =>
          reject(new Error(`bench: server ${this.name} exited (code ${code}) before listening`)),
        );
        child.once('error', reject);
      }),
      startTimeoutMs,
      `server ${this.name} did not print its port`,
    );
  }

  /** The server's CPU time so far, µs. */
  cpuMicros(): Promise<number> {
    const child = this.#child;
    return withTimeout(
      new Promise<number>((resolve) => {
        child.once('message', (message: CpuReport) => resolve(message.cpuMicros));
        child.send('cpu');
      }),
      ipcTimeoutMs,
      `server ${this.name} did not report its CPU time`,
    );
  }

  /** Asks the server to exit (so a CPU profile gets written), then kills it if it has not within 3 s. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected) child.send('stop');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }

  /** Synchronous last resort, for `process.on('exit')`. */
  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGKILL');
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`bench: ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// ---------------------------------------------------------------------------------------
// Report

function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

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
  const { serverPrefix, note } = pinning();
  const servers = new Map(
    [...new Set(contenders.map((c) => c.server))].map((name) => [
      name,
      new ServerProcess(name, serverPrefix),
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
          const result = await measure(contender, workload, servers.get(contender.server)!, config);
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
    const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
    writeChart(results, [
      `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpu} × ${cpus().length}, load average ${load} at start`,
      how,
      `read-write: ${readWrite.description}; read-mostly: ${readMostly.description}`,
    ]);
    return results;
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    process.removeListener('exit', killAll);
  }
}
