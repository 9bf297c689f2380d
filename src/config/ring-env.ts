// The Kit/Ring part of the configuration from the environment: SESSION_STORE=ring (share
// Ring's cookie format with a running Kit application) and RING_COOKIE_SECRET (migrate Kit's
// cookies into the default store). See docs/decisions/0012-ring-interop.md.
import { SessionkitError } from '../core/errors.ts';
import type { Logger } from '../core/types.ts';
import type { CsrfOptions } from '../csrf/wrap-csrf.ts';
import type { SessionStore } from '../session/store.ts';
import { migratingStore } from '../stores/migrating/migrating-store.ts';
import { ringCookieStore } from '../stores/ring/ring-cookie-store.ts';
import { ringKeyBytes } from '../stores/ring/ring-seal.ts';

/** Kit's documented default `COOKIE_SECRET`: public, so anyone can forge sessions with it. */
export const kitDefaultSecret = '16charsecrethere';

/** What the Ring stores built here share with the default store. */
export interface RingEnvContext {
  production: boolean;
  logger: Pick<Logger, 'warn'>;
  idleTimeoutSeconds: number;
  absoluteTimeoutSeconds: number;
  now: (() => number) | undefined;
  /** Why a secret is weak, given its minimum length in bytes (env.ts's secretWeakness). */
  weakness: (secret: string, minBytes: number) => string | undefined;
}

const howToMove =
  "it is Ring's 16-byte key; move to sessionkit's own format (unset SESSION_STORE, set COOKIE_SECRET from `npx sessionkit secret` and RING_COOKIE_SECRET to this key) once no Kit application shares the cookie";

/**
 * The 16-byte Ring key in `variable`, checked: exactly 16 bytes, and in production neither a
 * known placeholder nor obviously low in entropy (K-01, K-06). Never quotes the key (K-07).
 */
function ringKeyFrom(
  value: string | undefined,
  variable: string,
  context: RingEnvContext,
): string | undefined {
  const key = value?.trim();
  if (key === undefined || key === '') return undefined;
  const bytes = Buffer.byteLength(key);
  if (bytes !== ringKeyBytes) {
    throw new SessionkitError(
      'invalid_option',
      `sessionOptionsFromEnv: ${variable} is invalid: got ${bytes} bytes, expected exactly 16 bytes (Kit's COOKIE_SECRET, which Ring's cookie store takes as its key)`,
    );
  }
  const weakness = context.weakness(key, ringKeyBytes);
  if (weakness !== undefined) {
    if (context.production) {
      throw new SessionkitError(
        'insecure_secret',
        `sessionkit: ${variable} ${weakness}, so anyone could forge sessions; refusing to start in production: give the Kit application and this one a random 16-character COOKIE_SECRET`,
      );
    }
    context.logger.warn(`sessionkit: ${variable} ${weakness}; production would refuse it`);
  }
  return key;
}

/**
 * `SESSION_STORE=ring`: Ring's cookie-store format under `COOKIE_SECRET` (16 bytes), so that a
 * Kit application with the same `COOKIE_SECRET` and cookie name shares the session. Kit's
 * documented default secret is used in development when none is set, with a warning.
 */
export function ringStoreFromEnv(
  secret: string | undefined,
  context: RingEnvContext,
): SessionStore {
  let key = ringKeyFrom(secret, 'COOKIE_SECRET', context);
  if (key === undefined) {
    if (context.production) {
      throw new SessionkitError(
        'insecure_secret',
        `sessionkit: COOKIE_SECRET is not set; with SESSION_STORE=ring it must be the Kit application's 16-byte COOKIE_SECRET`,
      );
    }
    context.logger.warn(
      `sessionkit: COOKIE_SECRET is not set; SESSION_STORE=ring uses Kit's documented default key, which anyone can use to forge sessions (development only)`,
    );
    key = kitDefaultSecret;
  }
  if (context.production) {
    // K-06: a 16-byte key is otherwise only for reading Kit's cookies; say so once at start.
    context.logger.warn(
      `sessionkit: SESSION_STORE=ring seals sessions in Ring's weaker format: ${howToMove}`,
    );
  }
  return ringCookieStore({ key, ...timeouts(context) });
}

/**
 * `RING_COOKIE_SECRET` with the default store: Kit's cookies (sealed with this key) are
 * accepted once and re-sealed in sessionkit's format. Without it, `store` is returned as is.
 */
export function withRingMigration(
  store: SessionStore,
  ringSecret: string | undefined,
  context: RingEnvContext,
): SessionStore {
  const key = ringKeyFrom(ringSecret, 'RING_COOKIE_SECRET', context);
  if (key === undefined) return store;
  const legacy = ringCookieStore({ key, values: 'json', ...timeouts(context) });
  return migratingStore({ store, legacy });
}

/**
 * `wrapCsrf`'s options that go with the session from the environment: with `SESSION_STORE=ring`
 * the anti-forgery tokens are Kit's (`tokens: 'ring'`), so that both sides accept them.
 */
export function csrfOptionsFromEnv(
  env: { SESSION_STORE?: string | undefined } = process.env,
): CsrfOptions {
  return env.SESSION_STORE?.trim() === 'ring' ? { tokens: 'ring' } : {};
}

function timeouts(context: RingEnvContext) {
  return {
    idleTimeoutSeconds: context.idleTimeoutSeconds,
    absoluteTimeoutSeconds: context.absoluteTimeoutSeconds,
    ...(context.now === undefined ? {} : { now: context.now }),
  };
}
