/**
 * `npm run bench`: the cookie codec, seal + open, browser-like HTTP load, sessions in Redis
 * over HTTP, and the framework adapters, side by side in one run, in about 6½ minutes on a
 * 2-core machine (cookie 45 s, seal 60 s, http 130 s, redis 40 s, hosts 100 s, updates 2 s,
 * schema 15 s). `npx tsx bench/index.ts cookie|seal|http|redis|hosts|updates|schema` runs
 * some parts. The HTTP parts read `BENCH_SECONDS` (measured seconds per window, default 2)
 * and `BENCH_ROUNDS` (interleaved rounds, default 3); the browser-like part also
 * `BENCH_USERS` (virtual users, default 64) and, on a full run (none of them set), writes its
 * chart to docs/benchmark.svg.
 * `npx tsx bench/profile.ts [server] [workload]` profiles one server under the same load.
 */
import { cpus, loadavg } from 'node:os';
import { runCookieBench } from './cookie.ts';
import { runHostsBench } from './hosts.ts';
import { runHttpBench } from './http.ts';
import { runRedisBench } from './redis.ts';
import { runSchemaBench } from './schema.ts';
import { runSealBench } from './seal.ts';
import { runUpdatesBench } from './updates.ts';

const parts: Record<string, () => Promise<unknown>> = {
  cookie: () => runCookieBench(),
  seal: () => runSealBench(),
  http: () => runHttpBench(),
  redis: () => runRedisBench(),
  hosts: () => runHostsBench(),
  updates: () => runUpdatesBench(),
  schema: async () => runSchemaBench(),
};

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in parts));
if (unknown.length > 0) {
  console.error(
    `bench: unknown part ${unknown.join(', ')}; expected any of ${Object.keys(parts).join(', ')}`,
  );
  process.exit(2);
}

const cpu = cpus();
console.log(
  `sessionkit benchmarks — Node ${process.version}, ${cpu[0]?.model.trim() ?? 'unknown CPU'} × ${cpu.length}, ${process.platform}/${process.arch}, ${new Date().toISOString()}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const started = performance.now();
try {
  for (const name of chosen.length > 0 ? chosen : Object.keys(parts)) {
    console.log(`\n## ${name}\n`);
    await parts[name]!();
  }
} catch (error) {
  console.error(`\n${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s)`);
