// HTTP on 127.0.0.1: each contender's server in its own child process (bench/servers/*.ts),
// the load generator (autocannon) here, in the parent, so the two share the 2 cores as two
// processes. Every request carries an existing session cookie, so each one opens the session
// and (on the read-write route) seals a new one.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CpuReport } from './servers/common.ts';

/** A contender: which server file, which route, and what its responses must show. */
export interface Contender {
  name: string;
  /** The file in bench/servers/ without `.ts`. */
  server: string;
  path: string;
  /** `none`: no session; `write`: the counter goes up; `read`: it is read, never written. */
  session: 'none' | 'write' | 'read';
  /** The session travels in the cookie, so every write must answer a fresh Set-Cookie. */
  cookieBased: boolean;
}

const contenders: readonly Contender[] = [
  { name: 'bare node:http', server: 'bare', path: '/', session: 'none', cookieBased: false },
  {
    name: 'sessionkit (read-write)',
    server: 'sessionkit',
    path: '/',
    session: 'write',
    cookieBased: true,
  },
  {
    name: 'sessionkit (read-only)',
    server: 'sessionkit',
    path: '/read',
    session: 'read',
    cookieBased: true,
  },
  {
    name: 'fastify + @fastify/secure-session',
    server: 'fastify-secure-session',
    path: '/',
    session: 'write',
    cookieBased: true,
  },
  {
    name: 'express 5 + express-session (memory)',
    server: 'express-session',
    path: '/',
    session: 'write',
    cookieBased: false,
  },
  {
    name: 'express 5 + cookie-session',
    server: 'cookie-session',
    path: '/',
    session: 'write',
    cookieBased: true,
  },
  {
    name: 'node:http + iron-session',
    server: 'iron-session',
    path: '/',
    session: 'write',
    cookieBased: true,
  },
];

/** One measured load of one contender. */
export interface HttpResult {
  name: string;
  requestsPerSecond: number;
  /** Server CPU (user + system) per completed request, µs. */
  serverCpuMicros: number;
  /** The server's CPU over the run, as a share of one core: near 100% when it is the bottleneck. */
  serverCpuShare: number;
  /** The load generator's CPU over the run, as a share of one core. */
  loadCpuShare: number;
}

/**
 * The load settings. `BENCH_SECONDS`: measured seconds per round (default 2); `BENCH_ROUNDS`:
 * interleaved rounds (default 3), the median kept, so that a spell of other work on this
 * shared 2-core machine skews one round of one contender rather than the table.
 */
export function settings(): {
  seconds: number;
  warmupSeconds: number;
  connections: number;
  rounds: number;
} {
  const seconds = Number(process.env.BENCH_SECONDS ?? 2);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 60) {
    throw new Error(
      `bench: BENCH_SECONDS is invalid: got ${process.env.BENCH_SECONDS}, expected 1 to 60`,
    );
  }
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 5) {
    throw new Error(
      `bench: BENCH_ROUNDS is invalid: got ${process.env.BENCH_ROUNDS}, expected 1 to 5`,
    );
  }
  return { seconds, warmupSeconds: 1, connections: 10, rounds };
}

// ---------------------------------------------------------------------------------------
// Child processes

const serversDir = fileURLToPath(new URL('./servers/', import.meta.url));
const startTimeoutMs = 20_000;
const ipcTimeoutMs = 5_000;

/** A running bench server. */
export class ServerProcess {
  readonly name: string;
  readonly #child: ChildProcess;
  port = 0;

  /** Runs bench/servers/<name>.ts, with `env` added to this process's environment. */
  constructor(name: string, env: Record<string, string> = {}) {
    this.name = name;
    const execArgv = ['--import', 'tsx'];
    // BENCH_CPU_PROF=<server file name> writes a V8 CPU profile of that server to
    // $TMPDIR/sessionkit-bench-profiles/ when it stops.
    if (process.env.BENCH_CPU_PROF === name) {
      execArgv.push('--cpu-prof', `--cpu-prof-dir=${join(tmpdir(), 'sessionkit-bench-profiles')}`);
    }
    this.#child = spawn(process.execPath, [...execArgv, `${serversDir}${name}.ts`], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      env: { ...process.env, ...env },
    });
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
          const line = out.split('\n')[0];
          if (out.includes('\n') && line !== undefined) {
            this.port = Number(line);
            if (Number.isInteger(this.port) && this.port > 0) resolve();
            else
              reject(
                new Error(
                  `bench: server ${this.name} printed ${JSON.stringify(line)}, expected a port`,
                ),
              );
          }
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
    if (this.#child.exitCode === null && this.#child.signalCode === null)
      this.#child.kill('SIGKILL');
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
// Checking that a contender round-trips its session

interface Answer {
  status: number;
  body: string;
  setCookies: string[];
}

function get(port: number, path: string, cookie: string | undefined): Promise<Answer> {
  return withTimeout(
    new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          agent: false,
          headers: cookie === undefined ? {} : { cookie },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            const setCookie = res.headers['set-cookie'] ?? [];
            resolve({ status: res.statusCode ?? 0, body, setCookies: setCookie });
          });
        },
      );
      req.on('error', reject);
      req.end();
    }),
    ipcTimeoutMs,
    `GET ${path} was not answered`,
  );
}

/** `name=value` pairs of Set-Cookie lines merged over a Cookie header. */
function mergeCookies(cookie: string, setCookies: readonly string[]): string {
  const jar = new Map<string, string>();
  for (const pair of cookie.split('; ')) if (pair !== '') jar.set(pair.split('=')[0] ?? '', pair);
  for (const line of setCookies) {
    const pair = line.split(';')[0] ?? '';
    jar.set(pair.split('=')[0] ?? '', pair);
  }
  return [...jar.values()].join('; ');
}

function misconfigured(contender: Contender, what: string, answer: Answer): Error {
  return new Error(
    `bench: ${contender.name} is misconfigured: ${what}; got status ${answer.status}, body ${JSON.stringify(answer.body.slice(0, 80))}, ${answer.setCookies.length} Set-Cookie`,
  );
}

/**
 * Checks, before any load, that the contender keeps its session: the first write sets a
 * cookie, the counter goes 1 → 2 → 3 with the cookies sent back, a cookie-based store answers
 * a fresh Set-Cookie on each write, and a read-only route answers no Set-Cookie. Resolves to
 * the Cookie header to load with (a session whose counter is 1).
 */
export async function verify(contender: Contender, port: number): Promise<string | undefined> {
  const first = await get(port, contender.session === 'read' ? '/' : contender.path, undefined);
  if (first.status !== 200) throw misconfigured(contender, 'the first request failed', first);
  if (contender.session === 'none') return undefined;
  if (first.body !== '1' || first.setCookies.length === 0) {
    throw misconfigured(
      contender,
      'the first write did not answer counter 1 with a Set-Cookie',
      first,
    );
  }
  const cookie = mergeCookies('', first.setCookies);
  if (contender.session === 'read') {
    const read = await get(port, contender.path, cookie);
    if (read.status !== 200 || read.body !== '1' || read.setCookies.length !== 0) {
      throw misconfigured(
        contender,
        'the read-only route did not answer counter 1 without a Set-Cookie',
        read,
      );
    }
    return cookie;
  }
  let sent = cookie;
  for (const expected of ['2', '3']) {
    const next = await get(port, contender.path, sent);
    if (next.status !== 200 || next.body !== expected) {
      throw misconfigured(
        contender,
        `the session did not round-trip (expected counter ${expected})`,
        next,
      );
    }
    if (contender.cookieBased && next.setCookies.length === 0) {
      throw misconfigured(
        contender,
        'a write to a cookie-based session answered no Set-Cookie',
        next,
      );
    }
    sent = mergeCookies(sent, next.setCookies);
  }
  return cookie;
}

// ---------------------------------------------------------------------------------------
// Load

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number };
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
// autocannon ships no types; this is the slice of its programmatic API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

async function load(
  contender: Contender,
  server: ServerProcess,
  cookie: string | undefined,
  seconds: number,
  warmupSeconds: number,
  connections: number,
): Promise<HttpResult> {
  const options = {
    url: `http://127.0.0.1:${server.port}${contender.path}`,
    connections,
    pipelining: 1,
    headers: cookie === undefined ? {} : { cookie },
  };
  await autocannon({ ...options, duration: warmupSeconds });
  const cpuBefore = await server.cpuMicros();
  const loadBefore = process.cpuUsage();
  const result = await autocannon({ ...options, duration: seconds });
  const load = process.cpuUsage(loadBefore);
  const cpuAfter = await server.cpuMicros();
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(
      `bench: ${contender.name} failed under load: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`,
    );
  }
  const total = result.requests.total;
  return {
    name: contender.name,
    requestsPerSecond: total / result.duration,
    serverCpuMicros: (cpuAfter - cpuBefore) / total,
    serverCpuShare: (cpuAfter - cpuBefore) / (result.duration * 1e6),
    loadCpuShare: (load.user + load.system) / (result.duration * 1e6),
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// ---------------------------------------------------------------------------------------
// Report

export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function printResults(results: readonly HttpResult[]): void {
  const find = (name: string): HttpResult => {
    const found = results.find((r) => r.name === name);
    if (found === undefined) throw new Error(`bench: no result for ${name}`);
    return found;
  };
  const bare = find('bare node:http');
  console.log(
    formatTable(
      ['server', 'req/s', '× bare', 'server CPU µs/req', 'server busy', 'load-gen busy'],
      results.map((r) => [
        r.name,
        Math.round(r.requestsPerSecond).toLocaleString('en-US'),
        `${(r.requestsPerSecond / bare.requestsPerSecond).toFixed(2)}×`,
        r.serverCpuMicros.toFixed(1),
        `${Math.round(r.serverCpuShare * 100)}%`,
        `${Math.round(r.loadCpuShare * 100)}%`,
      ]),
    ),
  );
  const starved = results.filter((r) => r.serverCpuShare < 0.85 && r.loadCpuShare < 0.85);
  if (starved.length > 0) {
    console.log(
      `(neither the server nor the load generator was busy ≥ 85% for: ${starved.map((r) => r.name).join('; ')} — other processes likely took the cores; trust its CPU µs/req over its req/s)`,
    );
  }
  const rw = find('sessionkit (read-write)');
  const ro = find('sessionkit (read-only)');
  const fastify = find('fastify + @fastify/secure-session');
  const goals = [
    ['sessionkit read-write ≥ 1.5× fastify + secure-session', rw, fastify, 1.5],
    ['sessionkit read-write ≥ 0.45× bare node:http', rw, bare, 0.45],
    ['sessionkit read-only ≥ 0.8× bare node:http', ro, bare, 0.8],
  ] as const;
  console.log('\nGoals (req/s ratio; the server-CPU ratio, steadier here, in brackets):');
  for (const [goal, ours, theirs, target] of goals) {
    const ratio = ours.requestsPerSecond / theirs.requestsPerSecond;
    const cpuRatio = theirs.serverCpuMicros / ours.serverCpuMicros;
    console.log(
      `  ${ratio >= target ? 'PASS' : 'FAIL'}  ${goal}: ${ratio.toFixed(2)}× [CPU ${cpuRatio.toFixed(2)}×]`,
    );
  }
}

/**
 * Starts every contender's server, checks that each round-trips its session, loads each in
 * turn with ~10 connections for `BENCH_SECONDS` (after a 1 s warm-up), prints the table and
 * the goals, and stops every server, also on error.
 */
export async function runHttpBench(): Promise<HttpResult[]> {
  const { seconds, warmupSeconds, connections, rounds } = settings();
  const names = [...new Set(contenders.map((c) => c.server))];
  const servers = new Map(names.map((name) => [name, new ServerProcess(name)]));
  const killAll = (): void => servers.forEach((s) => s.kill());
  process.once('exit', killAll);
  try {
    await Promise.all([...servers.values()].map((s) => s.started()));
    const cookies = new Map<string, string | undefined>();
    for (const contender of contenders) {
      cookies.set(contender.name, await verify(contender, servers.get(contender.server)!.port));
    }
    console.log(
      `HTTP on 127.0.0.1: ${connections} connections, pipelining 1, ${warmupSeconds} s warm-up + ${seconds} s measured per round, median of ${rounds} interleaved rounds; sessions verified to round-trip\n`,
    );
    const runs = new Map<string, HttpResult[]>(contenders.map((c) => [c.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const contender of contenders) {
        const server = servers.get(contender.server)!;
        const result = await load(
          contender,
          server,
          cookies.get(contender.name),
          seconds,
          warmupSeconds,
          connections,
        );
        runs.get(contender.name)!.push(result);
      }
    }
    const results = contenders.map((c): HttpResult => {
      const all = runs.get(c.name)!;
      return {
        name: c.name,
        requestsPerSecond: median(all.map((r) => r.requestsPerSecond)),
        serverCpuMicros: median(all.map((r) => r.serverCpuMicros)),
        serverCpuShare: median(all.map((r) => r.serverCpuShare)),
        loadCpuShare: median(all.map((r) => r.loadCpuShare)),
      };
    });
    printResults(results);
    return results;
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    process.removeListener('exit', killAll);
  }
}
