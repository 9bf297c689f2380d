// The framework adapters over HTTP on 127.0.0.1, the same read-increment-write route on
// each: Express + sessionkit against Express + express-session (memory) and + cookie-session
// and bare Express; Fastify + sessionkit against Fastify + @fastify/secure-session (and bare
// Fastify, for scale); Hono + sessionkit on @hono/node-server against bare Hono (and Hono with
// one empty async middleware, what any middleware costs by itself). Each server
// runs in its own process (bench/servers/*.ts), pinned to CPU 0 with taskset, the load
// generator here, pinned to CPU 1; rounds are interleaved and the median kept.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { createRequire } from 'node:module';
import { formatTable, median, ServerProcess } from './process.ts';
import { settings, verify } from './verify.ts';
import type { Contender } from './verify.ts';
import { pin } from './servers/common.ts';

interface HostContender extends Contender {
  group: 'express' | 'fastify' | 'hono';
}

/** A contender on `/`: `none` for a bare framework, else the read-increment-write route. */
function contender(
  group: HostContender['group'],
  name: string,
  server: string,
  session: 'none' | 'write' = 'write',
  cookieBased = session === 'write',
): HostContender {
  return { group, name, server, path: '/', session, cookieBased };
}

// The first of each group is its baseline in the tables.
const contenders: readonly HostContender[] = [
  contender('express', 'express 5 (bare)', 'express-bare', 'none'),
  contender('express', 'express 5 + sessionkit', 'express-sessionkit'),
  contender('express', 'express 5 + express-session (memory)', 'express-session', 'write', false),
  contender('express', 'express 5 + cookie-session', 'cookie-session'),
  contender('fastify', 'fastify 5 (bare)', 'fastify-bare', 'none'),
  contender('fastify', 'fastify 5 + sessionkit', 'fastify-sessionkit'),
  contender('fastify', 'fastify 5 + @fastify/secure-session', 'fastify-secure-session'),
  contender('hono', 'hono 4 (bare, node-server)', 'hono-bare', 'none'),
  contender('hono', 'hono 4 + an empty middleware (node-server)', 'hono-empty-middleware', 'none'),
  contender('hono', 'hono 4 + sessionkit (node-server)', 'hono-sessionkit'),
];

/** One measured run of one contender. */
export interface HostResult {
  name: string;
  requestsPerSecond: number;
  /** The server process's CPU per request, µs. */
  serverCpuMicros: number;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number };
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

async function measure(
  contender: HostContender,
  server: ServerProcess,
  cookie: string | undefined,
): Promise<HostResult> {
  const { seconds, warmupSeconds, connections } = settings();
  const options = {
    url: `http://127.0.0.1:${server.port}${contender.path}`,
    connections,
    pipelining: 1,
    headers: cookie === undefined ? {} : { cookie },
  };
  await autocannon({ ...options, duration: warmupSeconds });
  const cpuBefore = await server.cpuMicros();
  const result = await autocannon({ ...options, duration: seconds });
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
  };
}

/** Whether taskset can pin: Linux with it installed, and two CPUs or more. */
function canPin(): boolean {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function printResults(results: readonly HostResult[]): void {
  const find = (name: string): HostResult => {
    const found = results.find((r) => r.name === name);
    if (found === undefined) throw new Error(`bench: no result for ${name}`);
    return found;
  };
  for (const group of ['express', 'fastify', 'hono'] as const) {
    const members = contenders.filter((c) => c.group === group).map((c) => find(c.name));
    const base = members[0]!;
    console.log(
      formatTable(
        ['server', 'req/s', `× ${base.name}`, 'server CPU µs/req'],
        members.map((r) => [
          r.name,
          Math.round(r.requestsPerSecond).toLocaleString('en-US'),
          `${(r.requestsPerSecond / base.requestsPerSecond).toFixed(2)}×`,
          r.serverCpuMicros.toFixed(1),
        ]),
      ),
    );
    console.log('');
  }
  const ours = {
    express: find('express 5 + sessionkit'),
    fastify: find('fastify 5 + sessionkit'),
    hono: find('hono 4 + sessionkit (node-server)'),
  };
  const expressSession = find('express 5 + express-session (memory)');
  const cookieSession = find('express 5 + cookie-session');
  const fasterExpressPeer =
    expressSession.requestsPerSecond >= cookieSession.requestsPerSecond
      ? expressSession
      : cookieSession;
  const goals = [
    [`express + sessionkit ≥ 1.5× ${fasterExpressPeer.name}`, ours.express, fasterExpressPeer, 1.5],
    ['express + sessionkit ≥ 0.8× bare express', ours.express, find('express 5 (bare)'), 0.8],
    [
      'fastify + sessionkit ≥ 1.1× fastify + @fastify/secure-session',
      ours.fastify,
      find('fastify 5 + @fastify/secure-session'),
      1.1,
    ],
    ['hono + sessionkit ≥ 0.6× bare hono', ours.hono, find('hono 4 (bare, node-server)'), 0.6],
  ] as const;
  console.log('Goals (req/s ratio; the server-CPU ratio in brackets):');
  for (const [goal, mine, theirs, target] of goals) {
    const ratio = mine.requestsPerSecond / theirs.requestsPerSecond;
    const cpuRatio = theirs.serverCpuMicros / mine.serverCpuMicros;
    console.log(
      `  ${ratio >= target ? 'PASS' : 'FAIL'}  ${goal}: ${ratio.toFixed(2)}× [CPU ${cpuRatio.toFixed(2)}×]`,
    );
  }
}

/**
 * Starts every contender's server (pinned to CPU 0 when taskset can), checks that each
 * round-trips its session, loads each in turn from this process (pinned to CPU 1), prints
 * one table per framework and the goals, and stops every server, also on error.
 */
export async function runHostsBench(): Promise<HostResult[]> {
  const { seconds, warmupSeconds, connections, rounds } = settings();
  const pinning = canPin();
  const allCpus = `0-${cpus().length - 1}`;
  if (pinning) {
    process.env.BENCH_SERVER_CPU = '0';
    pin('1');
  }
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
      `HTTP on 127.0.0.1, ${pinning ? 'each server on CPU 0 and the load generator on CPU 1 (taskset)' : 'unpinned (no taskset or one CPU)'}: ${connections} connections, pipelining 1, ${warmupSeconds} s warm-up + ${seconds} s measured per round, median of ${rounds} interleaved rounds; sessions verified to round-trip\n`,
    );
    const runs = new Map<string, HostResult[]>(contenders.map((c) => [c.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const contender of contenders) {
        const server = servers.get(contender.server)!;
        runs
          .get(contender.name)!
          .push(await measure(contender, server, cookies.get(contender.name)));
      }
    }
    const results = contenders.map((c): HostResult => {
      const all = runs.get(c.name)!;
      return {
        name: c.name,
        requestsPerSecond: median(all.map((r) => r.requestsPerSecond)),
        serverCpuMicros: median(all.map((r) => r.serverCpuMicros)),
      };
    });
    printResults(results);
    return results;
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    process.removeListener('exit', killAll);
    if (pinning) {
      delete process.env.BENCH_SERVER_CPU;
      pin(allCpus);
    }
  }
}
