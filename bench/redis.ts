// Sessions in Redis over HTTP on 127.0.0.1, the same read-increment-write route on each:
// sessionkit (node:http + redisStore) against express + express-session + connect-redis 9
// and fastify + @fastify/session + connect-redis 9, all against one redis-server this bench
// starts on a free port. Each server runs in its own process (bench/servers/*.ts), the load
// generator here. Redis round trips per request come from `INFO commandstats` before and
// after each measured run; Redis's own CPU per request from `INFO cpu`.
import { createRequire } from 'node:module';
import { startRedis } from '../test/support/redis.ts';
import type { RedisServer } from '../test/support/redis.ts';
import { formatTable, median, ServerProcess } from './process.ts';
import { settings, verify } from './verify.ts';
import type { Contender } from './verify.ts';

interface RedisContender extends Contender {
  env: Record<string, string>;
}

const contenders: readonly RedisContender[] = [
  {
    name: 'sessionkit + redisStore (node-redis)',
    server: 'sessionkit-redis',
    env: {},
  },
  {
    name: 'sessionkit + redisStore (ioredis)',
    server: 'sessionkit-redis',
    env: { BENCH_REDIS_CLIENT: 'ioredis' },
  },
  {
    name: 'fastify + @fastify/session + connect-redis',
    server: 'fastify-session-redis',
    env: {},
  },
  {
    name: 'express + express-session + connect-redis',
    server: 'express-session-redis',
    env: {},
  },
].map((c) => ({ ...c, path: '/', session: 'write', cookieBased: false }));

/** One measured run of one contender. */
export interface RedisResult {
  name: string;
  requestsPerSecond: number;
  /** The server process's CPU per request, µs. */
  serverCpuMicros: number;
  /** Redis's CPU per request, µs. */
  redisCpuMicros: number;
  /** Commands Redis ran per request, by command (`get`, `set`, …). */
  commands: Record<string, number>;
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

/** Calls per command and Redis's CPU seconds so far, from INFO. */
function redisCounters(redis: RedisServer): { calls: Record<string, number>; cpuSeconds: number } {
  const info = redis.cli('info', 'all');
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) {
    if (match[1] !== 'info') calls[match[1]!] = Number(match[2]);
  }
  const cpu = (name: string): number =>
    Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return { calls, cpuSeconds: cpu('used_cpu_user') + cpu('used_cpu_sys') };
}

async function measure(
  contender: RedisContender,
  server: ServerProcess,
  redis: RedisServer,
  cookie: string | undefined,
): Promise<RedisResult> {
  const { seconds, warmupSeconds, connections } = settings();
  const options = {
    url: `http://127.0.0.1:${server.port}${contender.path}`,
    connections,
    pipelining: 1,
    headers: cookie === undefined ? {} : { cookie },
  };
  await autocannon({ ...options, duration: warmupSeconds });
  const before = redisCounters(redis);
  const cpuBefore = await server.cpuMicros();
  const result = await autocannon({ ...options, duration: seconds });
  const cpuAfter = await server.cpuMicros();
  const after = redisCounters(redis);
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(
      `bench: ${contender.name} failed under load: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`,
    );
  }
  const total = result.requests.total;
  const commands: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after.calls)) {
    const n = calls - (before.calls[name] ?? 0);
    if (n > 0) commands[name] = n / total;
  }
  return {
    name: contender.name,
    requestsPerSecond: total / result.duration,
    serverCpuMicros: (cpuAfter - cpuBefore) / total,
    redisCpuMicros: ((after.cpuSeconds - before.cpuSeconds) * 1e6) / total,
    commands,
  };
}

function describeCommands(commands: Record<string, number>): string {
  const entries = Object.entries(commands).sort(([a], [b]) => a.localeCompare(b));
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return `${total.toFixed(2)} (${entries.map(([name, n]) => `${name.toUpperCase()} ${n.toFixed(2)}`).join(' + ')})`;
}

/**
 * Starts Redis and every contender, checks each round-trips its session, loads each in turn
 * (interleaved rounds, the median kept), prints the table and the goal, and stops everything,
 * also on error.
 */
export async function runRedisBench(): Promise<RedisResult[]> {
  const { seconds, warmupSeconds, connections, rounds } = settings();
  const redis = await startRedis();
  const servers = new Map(
    contenders.map((c) => [
      c.name,
      new ServerProcess(c.server, { env: { ...c.env, REDIS_URL: redis.url } }),
    ]),
  );
  const killAll = (): void => servers.forEach((s) => s.kill());
  process.once('exit', killAll);
  try {
    await Promise.all([...servers.values()].map((s) => s.started()));
    const cookies = new Map<string, string | undefined>();
    for (const contender of contenders) {
      cookies.set(contender.name, await verify(contender, servers.get(contender.name)!.port));
    }
    console.log(
      `redis-server ${redis.cli('info', 'server').match(/redis_version:(\S+)/)?.[1] ?? '?'} on 127.0.0.1, started by the bench; ${connections} connections, ${warmupSeconds} s warm-up + ${seconds} s measured per round, median of ${rounds} interleaved rounds; sessions verified to round-trip\n`,
    );
    const runs = new Map<string, RedisResult[]>(contenders.map((c) => [c.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const contender of contenders) {
        const server = servers.get(contender.name)!;
        runs
          .get(contender.name)!
          .push(await measure(contender, server, redis, cookies.get(contender.name)));
      }
    }
    const results = contenders.map((c): RedisResult => {
      const all = runs.get(c.name)!;
      return {
        name: c.name,
        requestsPerSecond: median(all.map((r) => r.requestsPerSecond)),
        serverCpuMicros: median(all.map((r) => r.serverCpuMicros)),
        redisCpuMicros: median(all.map((r) => r.redisCpuMicros)),
        commands: all[all.length >> 1]!.commands,
      };
    });
    printResults(results);
    return results;
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    process.removeListener('exit', killAll);
    await redis.stop();
  }
}

function printResults(results: readonly RedisResult[]): void {
  console.log(
    formatTable(
      ['server', 'req/s', 'server CPU µs/req', 'Redis CPU µs/req', 'Redis round trips/req'],
      results.map((r) => [
        r.name,
        Math.round(r.requestsPerSecond).toLocaleString('en-US'),
        r.serverCpuMicros.toFixed(1),
        r.redisCpuMicros.toFixed(1),
        describeCommands(r.commands),
      ]),
    ),
  );
  const ours = results.filter((r) => r.name.startsWith('sessionkit'));
  const peers = results.filter((r) => !r.name.startsWith('sessionkit'));
  const fastest = peers.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
  console.log(`\nGoal (req/s ratio; the server-CPU ratio in brackets): ≥ 1.5× ${fastest.name}`);
  for (const r of ours) {
    const ratio = r.requestsPerSecond / fastest.requestsPerSecond;
    const cpu = fastest.serverCpuMicros / r.serverCpuMicros;
    console.log(
      `  ${ratio >= 1.5 ? 'PASS' : 'FAIL'}  ${r.name}: ${ratio.toFixed(2)}× [CPU ${cpu.toFixed(2)}×]`,
    );
  }
}
