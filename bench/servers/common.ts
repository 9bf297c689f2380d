import type { Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

/**
 * The one secret every contender uses: 43 random-looking characters, enough for iron-session
 * (≥ 32 characters) and cookie-session, and key material for sessionkit (the canonical
 * base64url of 32 bytes, so it is used without scrypt). A benchmark value only.
 */
export const benchSecret = 'kQ7vN2xR9pL4mW8sT1yB6cF3hJ5dG0aZeUiOqXwVnMo';

/** The session cookie's name, the same for every contender. */
export const cookieName = 'session';

/**
 * The sliding-refresh throttle every contender is given: a session read at least this long
 * after its last refresh is refreshed (re-sealed and sent again, or touched in the store).
 * Short, so that the read-mostly workload exercises the refresh path.
 */
export const touchAfterSeconds = 1;

/**
 * The routes every session contender serves. `/write` reads the counter `n`, increments it,
 * writes the session and answers the new value; `/read` answers `n` and writes nothing unless
 * the sliding refresh is due.
 */
export const routes = { write: '/write', read: '/read' } as const;

/** Whole seconds since the epoch, the clock of the refresh throttles written here. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A server that outlives this (the parent died without killing it) exits by itself. */
const maxLifetimeMs = 15 * 60 * 1000;

/** What a bench server answers on IPC: its CPU time so far, in microseconds. */
export interface CpuReport {
  cpuMicros: number;
}

/**
 * Listens on 127.0.0.1 (never another interface) on a free port, prints the port on stdout,
 * answers `'cpu'` IPC messages with the process's CPU time, and exits when the parent
 * disconnects, sends `'stop'`, or after {@link maxLifetimeMs}.
 */
export function listen(server: Server): void {
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`${port}\n`);
  });
  answerParent();
}

/** The IPC half of {@link listen}, for hosts that listen by themselves (fastify). */
export function answerParent(): void {
  pin(process.env.BENCH_SERVER_CPU);
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      const report: CpuReport = { cpuMicros: user + system };
      process.send?.(report);
    } else if (message === 'stop') {
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
  setTimeout(() => process.exit(0), maxLifetimeMs).unref();
}

/**
 * `require` for the peers whose types augment the framework's request (`req.session`,
 * `request.session`, `request.cookies`): loaded this way, their declarations stay out of the
 * type check, where they would collide with sessionkit's own for the same names.
 */
export const requireUntyped: (name: string) => unknown = createRequire(import.meta.url);

/**
 * Pins this process (every thread) to one CPU with `taskset`, when `cpu` is set (the hosts
 * bench sets BENCH_SERVER_CPU, so that server and load generator each have a core).
 */
export function pin(cpu: string | undefined, pid = process.pid): void {
  if (cpu === undefined || cpu === '') return;
  execFileSync('taskset', ['-a', '-cp', cpu, String(pid)], { stdio: 'ignore' });
}
