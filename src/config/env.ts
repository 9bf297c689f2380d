import { isProduction } from '../core/options.ts';
import { cookieStore } from '../stores/cookie/cookie-store.ts';
import { SessionkitError, invalidOption } from '../core/errors.ts';
import { checkAudience, randomSecret } from '../crypto/keys.ts';
import { howToGenerate, isKeyMaterial, secretWeakness } from '../crypto/secret.ts';
import { consoleLogger } from '../core/logger.ts';
import { checkOptions, loggerOption } from '../core/options.ts';
import { sessionDefaults } from '../session/defaults.ts';
import { timeoutDefaults } from '../session/timeouts.ts';
import type { SessionOptions } from '../session/wrap-session.ts';
import type { SessionStore } from '../session/store.ts';
import type { Revocations } from '../session/revocations.ts';
import type { Logger } from '../core/types.ts';
import { ringStoreFromEnv, withRingMigration } from './ring-env.ts';
import type { RingEnvContext } from './ring-env.ts';

/** The environment variables Kit's session configuration reads. */
export interface SessionEnv {
  /**
   * The current secret. Required in production. Best: what `npx sessionkit secret` prints
   * (key material: the base64url, base64 or hex of 32 or more random bytes). Any other
   * secret of at least 32 bytes is stretched with scrypt at start-up (~0.1 s), with a
   * warning; placeholders and low-entropy secrets are refused in production.
   */
  COOKIE_SECRET?: string | undefined;
  /** Older secrets, comma-separated: they still open cookies, which are then re-sealed. */
  COOKIE_SECRET_PREVIOUS?: string | undefined;
  /** The session cookie's name. @default '__Host-session' in production, else 'session' */
  COOKIE_NAME?: string | undefined;
  /**
   * The name of this deployment (`shop-production`), bound into every sealed cookie: a
   * cookie from another deployment that shares the secret never opens here. Production
   * warns when it is unset. @default '' (none)
   */
  SESSION_AUDIENCE?: string | undefined;
  /** Seconds of inactivity after which a session is gone. @default 86400 */
  SESSION_IDLE_TIMEOUT?: string | undefined;
  /** Seconds after creation after which a session is gone. @default 604800 */
  SESSION_ABSOLUTE_TIMEOUT?: string | undefined;
  /** `production` makes weak secrets fatal and the session cookie always Secure. */
  NODE_ENV?: string | undefined;
  /**
   * `cookie` (sessionkit's encrypted cookie store) or `ring` (Ring's cookie-store format under
   * the Kit application's 16-byte `COOKIE_SECRET`, to share sessions with it). @default 'cookie'
   */
  SESSION_STORE?: string | undefined;
  /**
   * Kit's 16-byte `COOKIE_SECRET`: Kit's session cookies are accepted once and re-sealed in
   * sessionkit's format (migration). Unset it once the move is done.
   */
  RING_COOKIE_SECRET?: string | undefined;
}

/** Options of {@link sessionOptionsFromEnv}. */
export interface SessionEnvOptions {
  /** @default console */
  logger?: Pick<Logger, 'warn'> | undefined;
  /**
   * The store's clock, in milliseconds since the epoch. For tests.
   * @default Date.now
   */
  now?: (() => number) | undefined;
  /**
   * A server-side store instead of the cookie store, made from the timeouts the environment
   * sets (and `now`, when given). `COOKIE_SECRET` is then neither needed nor read.
   * @default the encrypted cookie store, sealed with `COOKIE_SECRET`
   * @example
   * sessionOptionsFromEnv(process.env, { store: (timeouts) => redisStore({ client, ...timeouts }) })
   */
  store?: ((timeouts: StoreTimeouts) => SessionStore) | undefined;
  /**
   * A revocation list for the cookie store (`memoryRevocations()`, or `redisRevocations` from
   * `sessionkit/redis`): logouts become final and `revokeSubject` logs a user out everywhere.
   * Refused with `store` and with `SESSION_STORE=ring`, which have no use for it.
   * @default none
   */
  revocations?: Revocations | undefined;
}

/** The timeouts {@link SessionEnvOptions.store} makes its store with. */
export interface StoreTimeouts {
  idleTimeoutSeconds: number;
  absoluteTimeoutSeconds: number;
  now?: () => number;
}

const howToMake = `${howToGenerate} and set it in the environment`;

export { secretWeakness } from '../crypto/secret.ts';

/**
 * Builds `wrapSession`'s options from the environment, as Kit does: the encrypted cookie
 * store with `COOKIE_SECRET` (and `COOKIE_SECRET_PREVIOUS` for rotation), the cookie name
 * (`COOKIE_NAME`; by default `__Host-session` in production and `session` elsewhere, and a
 * production name without a `__Host-` or `__Secure-` prefix warns), the idle and absolute
 * timeouts, and the session cookie's attributes
 * (`Path=/; HttpOnly; Max-Age=<idle timeout>; SameSite=Lax`, plus `Secure` on HTTPS
 * requests and always in production). With `options.store`, a server-side store made with
 * those timeouts instead of the cookie store, and no secret.
 *
 * In production a missing, short, placeholder or low-entropy secret throws
 * `insecure_secret` naming the variable and how to make one, and a missing
 * `SESSION_AUDIENCE` warns. In development a missing or unusable secret is replaced by a
 * random one for this process, with a single warning. A secret that is not key material
 * is stretched with scrypt (see `cookieStore`), with a warning recommending key material.
 *
 * Kit interop: `SESSION_STORE=ring` uses Ring's cookie-store format with the Kit
 * application's 16-byte `COOKIE_SECRET` (Kit's documented default in development when unset,
 * with a warning), so both share the session; `RING_COOKIE_SECRET` (Kit's 16-byte secret)
 * accepts Kit's cookies once and re-seals them in the store's own format (migration).
 *
 * @example
 * const app = compose(wrapSession(sessionOptionsFromEnv()), wrapFlash())(router);
 */
export function sessionOptionsFromEnv(
  env: SessionEnv = process.env,
  options: SessionEnvOptions = {},
): SessionOptions {
  checkOptions('sessionOptionsFromEnv', options, ['logger', 'now', 'store', 'revocations']);
  const logger = loggerOption('sessionOptionsFromEnv', options.logger, consoleLogger, ['warn']);
  const production = isProduction(env.NODE_ENV);
  const cookieName = nonEmpty(env.COOKIE_NAME) ?? defaultName(production);
  if (production && !/^__(host|secure)-/i.test(cookieName)) {
    logger.warn(
      `sessionkit: COOKIE_NAME ${JSON.stringify(cookieName)} has no __Host- prefix, so another subdomain can plant a session cookie of that name (cookie tossing); prefer __Host-${cookieName}`,
    );
  }
  const idleTimeoutSeconds =
    seconds(env, 'SESSION_IDLE_TIMEOUT') ?? timeoutDefaults.idleTimeoutSeconds;
  const absoluteTimeoutSeconds =
    seconds(env, 'SESSION_ABSOLUTE_TIMEOUT') ?? timeoutDefaults.absoluteTimeoutSeconds;
  if (absoluteTimeoutSeconds < idleTimeoutSeconds) {
    throw new SessionkitError(
      'invalid_option',
      `sessionOptionsFromEnv: SESSION_ABSOLUTE_TIMEOUT is invalid: got ${absoluteTimeoutSeconds}, expected at least SESSION_IDLE_TIMEOUT (${idleTimeoutSeconds})`,
    );
  }

  const attrs = {
    cookieName,
    cookieAttrs: { ...sessionDefaults.cookieAttrs, maxAge: idleTimeoutSeconds },
    secure: production ? true : ('auto' as const),
  };
  const now = options.now === undefined ? {} : { now: options.now };
  const kind = nonEmpty(env.SESSION_STORE)?.trim() ?? 'cookie';
  const ring: RingEnvContext = {
    production,
    logger,
    idleTimeoutSeconds,
    absoluteTimeoutSeconds,
    now: options.now,
    weakness: (secret, minBytes) => secretWeakness(secret, minBytes),
  };
  if (options.revocations !== undefined && (options.store !== undefined || kind === 'ring')) {
    throw invalidOption(
      'sessionOptionsFromEnv',
      'revocations',
      options.store !== undefined ? 'a list with options.store' : 'a list with SESSION_STORE=ring',
      "no list: revocation is for sessionkit's cookie store (a server-side store deletes sessions; Ring's format carries no session id)",
    );
  }
  if (options.store !== undefined && kind !== 'ring') {
    // The caller chose the store (SESSION_STORE may name it: memory, redis, …).
    const store = options.store({ idleTimeoutSeconds, absoluteTimeoutSeconds, ...now });
    return { store: withRingMigration(store, env.RING_COOKIE_SECRET, ring), ...attrs };
  }
  if (kind !== 'cookie' && kind !== 'ring') {
    throw new SessionkitError(
      'invalid_option',
      `sessionOptionsFromEnv: SESSION_STORE is invalid: got ${JSON.stringify(kind.slice(0, 40))}, expected cookie or ring (another store is given as options.store)`,
    );
  }
  if (kind === 'ring') {
    const unused = ['COOKIE_SECRET_PREVIOUS', 'RING_COOKIE_SECRET', 'SESSION_AUDIENCE'] as const;
    for (const variable of unused) {
      if (nonEmpty(env[variable]) !== undefined) {
        throw new SessionkitError(
          'invalid_option',
          `sessionOptionsFromEnv: ${variable} is invalid: got a value with SESSION_STORE=ring, expected it unset (Ring's format has one key, COOKIE_SECRET, and no rotation or audience)`,
        );
      }
    }
    if (options.store !== undefined) {
      throw invalidOption(
        'sessionOptionsFromEnv',
        'store',
        'a store with SESSION_STORE=ring',
        "no store option: Ring's format is the cookie itself",
      );
    }
    return { store: ringStoreFromEnv(env.COOKIE_SECRET, ring), ...attrs };
  }

  const audience = checkedAudience(env.SESSION_AUDIENCE);
  if (production && audience === '') {
    logger.warn(
      "sessionkit: SESSION_AUDIENCE is not set; a session cookie from another deployment that shares COOKIE_SECRET (staging, another app) would open here. Set it to a name for this deployment, such as 'shop-production', and never share secrets across environments",
    );
  }
  const previous = (env.COOKIE_SECRET_PREVIOUS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const secrets = [checkedSecret(env.COOKIE_SECRET, 'COOKIE_SECRET', production, logger)];
  for (const [i, secret] of previous.entries()) {
    const weakness = secretWeakness(secret);
    if (weakness === undefined) {
      warnIfStretched(secret, `COOKIE_SECRET_PREVIOUS entry ${i + 1}`, logger);
      secrets.push(secret);
    } else if (production) throw insecure(`COOKIE_SECRET_PREVIOUS (entry ${i + 1})`, weakness);
    else
      logger.warn(`sessionkit: COOKIE_SECRET_PREVIOUS entry ${i + 1} ${weakness}; it is ignored`);
  }
  const store = cookieStore({
    secrets,
    audience,
    cookieName,
    idleTimeoutSeconds,
    absoluteTimeoutSeconds,
    ...now,
    ...(options.revocations === undefined ? {} : { revocations: options.revocations }),
  });
  return { store: withRingMigration(store, env.RING_COOKIE_SECRET, ring), ...attrs };
}

function checkedSecret(
  secret: string | undefined,
  variable: string,
  production: boolean,
  logger: Pick<Logger, 'warn'>,
): string {
  // Trimmed like the previous secrets, so that a secret keeps opening its cookies when it
  // moves to COOKIE_SECRET_PREVIOUS (a trailing newline from a secret file is common).
  const given = nonEmpty(secret)?.trim();
  if (given === undefined) {
    if (production) {
      throw new SessionkitError(
        'insecure_secret',
        `sessionkit: ${variable} is not set; in production sessions need a secret: ${howToMake}`,
      );
    }
    logger.warn(
      `sessionkit: ${variable} is not set; using a random secret for this process, so sessions end when it restarts (${howToMake})`,
    );
    return randomSecret();
  }
  const weakness = secretWeakness(given);
  if (weakness === undefined) {
    warnIfStretched(given, variable, logger);
    return given;
  }
  if (production) throw insecure(variable, weakness);
  // The store refuses weak secrets wherever it runs (K-02), so development cannot keep it.
  logger.warn(
    `sessionkit: ${variable} ${weakness}; using a random secret for this process instead, so sessions end when it restarts (${howToMake})`,
  );
  return randomSecret();
}

/** K-08: a secret that is not key material works, stretched; say what it costs and what is better. */
function warnIfStretched(secret: string, variable: string, logger: Pick<Logger, 'warn'>): void {
  if (isKeyMaterial(secret)) return;
  logger.warn(
    `sessionkit: ${variable} is not key material (the base64url, base64 or hex of 32 or more random bytes), so it is stretched with scrypt at start-up (~0.1 s) to make each offline guess as costly; prefer a random secret: ${howToMake}`,
  );
}

/** `SESSION_AUDIENCE`, trimmed and checked ('' when unset). */
export function checkedAudience(raw: string | undefined): string {
  const audience = raw?.trim() ?? '';
  try {
    return checkAudience(audience, 'sessionOptionsFromEnv');
  } catch {
    throw new SessionkitError(
      'invalid_option',
      `sessionOptionsFromEnv: SESSION_AUDIENCE is invalid: got a value of ${audience.length} characters, expected at most 256 printable characters naming this deployment, such as 'shop-production'`,
    );
  }
}

function insecure(variable: string, weakness: string): SessionkitError {
  return new SessionkitError(
    'insecure_secret',
    `sessionkit: ${variable} ${weakness}, so anyone could forge sessions; refusing to start in production: ${howToMake}`,
  );
}

/** K-12: a Secure production cookie gets the `__Host-` prefix unless COOKIE_NAME names it. */
export function defaultName(production: boolean): string {
  return production ? sessionDefaults.productionCookieName : sessionDefaults.cookieName;
}

/** `value` unless it is unset or blank. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** A timeout variable: a positive whole number of seconds, or undefined when unset. */
export function seconds(
  env: SessionEnv,
  variable: 'SESSION_IDLE_TIMEOUT' | 'SESSION_ABSOLUTE_TIMEOUT',
): number | undefined {
  const raw = nonEmpty(env[variable]);
  if (raw === undefined) return undefined;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new SessionkitError(
      'invalid_option',
      `sessionOptionsFromEnv: ${variable} is invalid: got ${JSON.stringify(raw.slice(0, 40))}, expected a positive whole number of seconds`,
    );
  }
  return value;
}
