// The environment every example reads, in one place: Kit's session variables, the store
// (SESSION_STORE, and Redis's variables), the address, and the proxy setting. Each host's
// example imports this; none copies it.
import {
  memoryRevocations,
  memoryStore,
  sessionOptionsFromEnv,
  timeoutDefaults,
} from '../../src/index.ts';
import type {
  CookiesOptions,
  CsrfOptions,
  Logger,
  Revocations,
  SessionEnv,
  SessionEnvOptions,
  SessionOptions,
} from '../../src/index.ts';
import { exampleSession, migrateSession } from './kit.ts';
import { connectRedis, connectRevocations } from './redis.ts';
import type { RedisEnv } from './redis.ts';

/** The example's environment: Kit's variables, the store's, and where to listen. */
export interface ExampleEnv extends SessionEnv, RedisEnv {
  /**
   * `cookie` (the default: the encrypted cookie store), `ring` (Ring's format, shared with a
   * Kit application), `memory` (this process only) or `redis` (shared by every process on the
   * same Redis; see redis.ts).
   */
  SESSION_STORE?: string | undefined;
  /**
   * With the cookie store, where revoked sessions are listed: `memory` (the default: this
   * process) or `redis` (every process on the same Redis, `REDIS_URL`; see redis.ts).
   */
  REVOCATION_STORE?: string | undefined;
  /** The port to listen on. @default 3000 */
  PORT?: string | undefined;
  /** The address to listen on, e.g. 127.0.0.1. @default every interface */
  HOST?: string | undefined;
  /** `1` or `true` behind a TLS-terminating proxy: X-Forwarded-Proto says the request was HTTPS. */
  TRUST_PROXY?: string | undefined;
}

/** What a test (or main.ts) hands an example: where it logs, the stores' clock, a Redis store. */
export interface ExampleOptions {
  logger?: Logger | undefined;
  now?: (() => number) | undefined;
  /** With SESSION_STORE=redis: the store factory of {@link connectStore}. */
  store?: SessionEnvOptions['store'];
  /** With the cookie store: its revocation list (REVOCATION_STORE=redis: {@link connectStore}'s). */
  revocations?: Revocations | undefined;
}

/**
 * The cookie store's revocation list: the one given, or with REVOCATION_STORE=memory (the
 * default) a new one for this process; undefined for the other stores, which delete.
 */
export function revocationList(
  env: ExampleEnv,
  options: ExampleOptions = {},
): Revocations | undefined {
  if ((env.SESSION_STORE ?? 'cookie') !== 'cookie') return undefined;
  const kind = env.REVOCATION_STORE ?? 'memory';
  if (kind !== 'memory' && kind !== 'redis') {
    throw new Error(
      `REVOCATION_STORE is invalid: got ${JSON.stringify(kind)}, expected memory or redis`,
    );
  }
  if (options.revocations !== undefined) return options.revocations;
  if (kind === 'redis') {
    throw new Error(
      'REVOCATION_STORE=redis: pass the list of connectStore(env) as options.revocations',
    );
  }
  // Kept as long as a session lives (sessionOptionsFromEnv checks the variable itself).
  const absolute = Number(env.SESSION_ABSOLUTE_TIMEOUT);
  return memoryRevocations({
    absoluteTimeoutSeconds:
      Number.isSafeInteger(absolute) && absolute > 0
        ? absolute
        : timeoutDefaults.absoluteTimeoutSeconds,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

/**
 * `wrapSession`'s options from the environment (Kit's settings, then the store), with the
 * example's session schema.
 */
export function sessionOptions(env: ExampleEnv, options: ExampleOptions = {}): SessionOptions {
  const { logger, now, store } = options;
  const fromEnv = (
    given: SessionEnvOptions['store'],
    revocations?: Revocations,
  ): SessionOptions => {
    const session = sessionOptionsFromEnv(env, {
      ...(logger === undefined ? {} : { logger }),
      ...(now === undefined ? {} : { now }),
      ...(given === undefined ? {} : { store: given }),
      ...(revocations === undefined ? {} : { revocations }),
    });
    const checked = { ...session, schema: exampleSession, migrate: migrateSession };
    return logger === undefined ? checked : { ...checked, logger };
  };
  switch (env.SESSION_STORE ?? 'cookie') {
    case 'cookie':
      return fromEnv(undefined, revocationList(env, options));
    case 'ring':
      return fromEnv(undefined);
    case 'memory':
      return fromEnv((timeouts) => memoryStore(timeouts));
    case 'redis':
      if (store === undefined) {
        throw new Error(
          'SESSION_STORE=redis: pass the store of connectStore(env) as options.store',
        );
      }
      return fromEnv(store);
    default:
      throw new Error(
        `SESSION_STORE is invalid: got ${JSON.stringify(env.SESSION_STORE)}, expected cookie, ring, memory or redis`,
      );
  }
}

/**
 * The options of every middleware, as `wrapDefaults` (and the framework adapters) take them:
 * the session from the environment, the logger everywhere, and with SESSION_STORE=ring
 * anti-forgery tokens a Kit application also accepts.
 */
export function middlewareOptions(
  env: ExampleEnv,
  options: ExampleOptions = {},
): { session: SessionOptions; cookies: CookiesOptions; csrf: CsrfOptions } {
  const { logger } = options;
  return {
    session: sessionOptions(env, options),
    cookies: { logger },
    csrf: { tokens: env.SESSION_STORE === 'ring' ? 'ring' : 'masked', logger },
  };
}

/** The session cookie's name, which `/cookies` leaves out. */
export function sessionCookieName(session: SessionOptions): string {
  return session.cookieName ?? session.store.cookieName ?? 'session';
}

/** The store to connect before the application starts (Redis), and how to let it go. */
export async function connectStore(
  env: ExampleEnv,
): Promise<{ options: ExampleOptions; close(): Promise<void> }> {
  if ((env.SESSION_STORE ?? 'cookie') === 'cookie' && env.REVOCATION_STORE === 'redis') {
    const shared = await connectRevocations(env);
    return { options: { revocations: shared.revocations }, close: () => shared.close() };
  }
  if (env.SESSION_STORE !== 'redis') return { options: {}, close: async () => undefined };
  const redis = await connectRedis(env);
  return { options: { store: redis.store }, close: () => redis.close() };
}

/** `PORT`, default 3000. */
export function port(env: ExampleEnv): number {
  const value = Number(env.PORT ?? 3000);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`PORT is invalid: got ${JSON.stringify(env.PORT)}, expected 0 to 65535`);
  }
  return value;
}

/** `HOST`, or undefined for every interface. */
export function host(env: ExampleEnv): string | undefined {
  return env.HOST === undefined || env.HOST === '' ? undefined : env.HOST;
}

/** `TRUST_PROXY=1` (or `true`). */
export function trustProxy(env: ExampleEnv): boolean {
  return env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true';
}

/**
 * Prints where the example listens (`… listening on <url>`, which the tests read), and on
 * SIGINT or SIGTERM closes the server, then the store.
 */
export function announce(
  name: string,
  url: string,
  close: () => Promise<unknown>,
  store: { close(): Promise<void> },
): void {
  console.log(`sessionkit example (${name}) listening on ${url}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void close()
        .then(() => store.close())
        .then(() => process.exit(0));
    });
  }
}
