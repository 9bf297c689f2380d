// The environment every example reads, in one place: Kit's session variables, the store,
// the port and the proxy setting. Each host's example imports this; none copies it.
import { memoryStore, sessionOptionsFromEnv, timeoutDefaults } from '../../src/index.ts';
import type { Logger, SessionEnv, SessionOptions } from '../../src/index.ts';

/** The example's environment: Kit's variables, plus `SESSION_STORE`, `PORT` and `TRUST_PROXY`. */
export interface ExampleEnv extends SessionEnv {
  /** `cookie` (the default: the encrypted cookie store) or `memory` (this process only). */
  SESSION_STORE?: string | undefined;
  /** The port to listen on. @default 3000 */
  PORT?: string | undefined;
  /** `1` or `true` behind a TLS-terminating proxy: X-Forwarded-Proto says the request was HTTPS. */
  TRUST_PROXY?: string | undefined;
}

/** What a test hands an example: where it logs, and the stores' clock. */
export interface ExampleOptions {
  logger?: Logger | undefined;
  now?: (() => number) | undefined;
}

/** `wrapSession`'s options from the environment (Kit's settings, then the store). */
export function sessionOptions(env: ExampleEnv, options: ExampleOptions = {}): SessionOptions {
  const { logger, now } = options;
  const fromEnv = sessionOptionsFromEnv(env, { logger, now });
  const withLogger = logger === undefined ? fromEnv : { ...fromEnv, logger };
  switch (env.SESSION_STORE ?? 'cookie') {
    case 'cookie':
      return withLogger;
    case 'memory':
      return {
        ...withLogger,
        store: memoryStore({
          idleTimeoutSeconds: Number(
            env.SESSION_IDLE_TIMEOUT ?? timeoutDefaults.idleTimeoutSeconds,
          ),
          absoluteTimeoutSeconds: Number(
            env.SESSION_ABSOLUTE_TIMEOUT ?? timeoutDefaults.absoluteTimeoutSeconds,
          ),
          ...(now === undefined ? {} : { now }),
        }),
      };
    default:
      throw new Error(
        `SESSION_STORE is invalid: got ${JSON.stringify(env.SESSION_STORE)}, expected cookie or memory`,
      );
  }
}

/** `PORT`, default 3000. */
export function port(env: ExampleEnv): number {
  const value = Number(env.PORT ?? 3000);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`PORT is invalid: got ${JSON.stringify(env.PORT)}, expected 0 to 65535`);
  }
  return value;
}

/** `TRUST_PROXY=1` (or `true`). */
export function trustProxy(env: ExampleEnv): boolean {
  return env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true';
}

/** Prints where the example listens, and closes it on SIGINT or SIGTERM. */
export function announce(host: string, url: string, close: () => Promise<unknown>): void {
  console.log(`sessionkit example (${host}) listening on ${url}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void close().then(() => process.exit(0));
    });
  }
}
