/**
 * What the HTTP benchmarks share: bench servers in child processes (bench/servers/*.ts), each
 * reporting its CPU time over IPC; pinning to cores; medians and tables.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CpuReport } from './servers/common.ts';

/**
 * Pins this process (every thread: the generator) to core 0 and answers the command prefix
 * that starts a server on core 1, and how to undo the pinning. Without two cores or
 * `taskset`, nothing is pinned and the note says so.
 */
export function pinning(): { serverPrefix: string[]; note: string; restore: () => void } {
  const cores = availableParallelism();
  const none = (): void => undefined;
  if (cores < 2) return { serverPrefix: [], note: 'not pinned (one core)', restore: none };
  const taskset = (list: string): void => {
    execFileSync('taskset', ['-a', '-p', '-c', list, String(process.pid)], { stdio: 'ignore' });
  };
  try {
    taskset('0');
  } catch {
    return { serverPrefix: [], note: 'not pinned (taskset failed or is missing)', restore: none };
  }
  return {
    serverPrefix: ['taskset', '-c', '1'],
    note: 'each server pinned to core 1, the load generator to core 0',
    restore: () => taskset(`0-${cores - 1}`),
  };
}

const serversDir = fileURLToPath(new URL('./servers/', import.meta.url));
const startTimeoutMs = 30_000;
const ipcTimeoutMs = 5_000;

/** How to start a {@link ServerProcess}. */
export interface ServerOptions {
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** A command the server runs under, such as `taskset -c 1` (see {@link pinning}). */
  prefix?: readonly string[];
}

/** A running bench server: bench/servers/<name>.ts in its own process. */
export class ServerProcess {
  readonly name: string;
  readonly #child: ChildProcess;
  port = 0;

  constructor(name: string, { env = {}, prefix = [] }: ServerOptions = {}) {
    this.name = name;
    const args = ['--import', 'tsx'];
    // BENCH_CPU_PROF=<server file name> writes a V8 CPU profile of that server to
    // $TMPDIR/sessionkit-bench-profiles/ when it stops.
    if (process.env.BENCH_CPU_PROF === name) {
      args.push('--cpu-prof', `--cpu-prof-dir=${join(tmpdir(), 'sessionkit-bench-profiles')}`);
    }
    args.push(`${serversDir}${name}.ts`);
    const [command, ...rest] = [...prefix, process.execPath, ...args];
    this.#child = spawn(command!, rest, {
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

/** `promise`, or a rejection naming `what` after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`bench: ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Rows as a Markdown table, the first column left-aligned, the others right-aligned. */
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
