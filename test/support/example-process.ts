// The example application (examples/app/main.ts) as a separate process, the way it is
// deployed: bundled once per test process with esbuild (which tsx brings), then run by plain
// node, which starts in a fraction of the time `node --import tsx` takes.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const outfile = 'node_modules/.cache/sessionkit-test/example-main.mjs';
let bundled: Promise<unknown> | undefined;

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A running example process. */
export interface ExampleProcess {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** What it wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM (the example closes its server and its Redis client), then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts the example with these variables (plus PORT=0, HOST=127.0.0.1); resolves once it listens. */
export async function startExample(env: Record<string, string>): Promise<ExampleProcess> {
  bundled ??= (async () => {
    mkdirSync('node_modules/.cache/sessionkit-test', { recursive: true });
    await build({
      entryPoints: ['examples/app/main.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external', // resolved from node_modules, next to the bundle
      outfile,
      logLevel: 'warning',
    });
  })();
  await bundled;
  const child = spawn(process.execPath, [outfile], {
    env: { PATH: process.env.PATH, ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (err += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`the example did not listen within 10 s: ${err}`)),
      10_000,
    );
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the example exited before listening: ${err}`));
    });
  });
  return {
    url,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
