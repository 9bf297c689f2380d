import { cookieStore } from '../stores/cookie/cookie-store.ts';
import { SessionkitError } from '../core/errors.ts';
import { randomSecret } from '../crypto/keys.ts';
import { consoleLogger } from '../core/logger.ts';
import { checkOptions, loggerOption } from '../core/options.ts';
import { sessionDefaults } from '../session/defaults.ts';
import { timeoutDefaults } from '../session/timeouts.ts';
import type { SessionOptions } from '../session/wrap-session.ts';
import type { SessionStore } from '../session/store.ts';
import type { Logger } from '../core/types.ts';

/** The environment variables Kit's session configuration reads. */
export interface SessionEnv {
  /** The current secret; at least 32 characters. Required in production. */
  COOKIE_SECRET?: string | undefined;
  /** Older secrets, comma-separated: they still open cookies, which are then re-sealed. */
  COOKIE_SECRET_PREVIOUS?: string | undefined;
  /** The session cookie's name. @default '__Host-session' in production, else 'session' */
  COOKIE_NAME?: string | undefined;
  /** Seconds of inactivity after which a session is gone. @default 86400 */
  SESSION_IDLE_TIMEOUT?: string | undefined;
  /** Seconds after creation after which a session is gone. @default 604800 */
  SESSION_ABSOLUTE_TIMEOUT?: string | undefined;
  /** `production` makes weak secrets fatal and the session cookie always Secure. */
  NODE_ENV?: string | undefined;
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
}

/** The timeouts {@link SessionEnvOptions.store} makes its store with. */
export interface StoreTimeouts {
  idleTimeoutSeconds: number;
  absoluteTimeoutSeconds: number;
  now?: () => number;
}

/** Placeholders seen in documentation and templates (Kit's among them); never secrets. */
const knownDefaults = new Set([
  '16charsecrethere',
  'changeme',
  'change-me',
  'change_me',
  'changethis',
  'secret',
  'mysecret',
  'supersecret',
  'keyboard cat',
  'your-secret-here',
  'your_secret_here',
  'yoursecret',
  'replace-me',
  'replaceme',
  'development',
  'password',
  'complex_password_at_least_32_characters_long',
]);

const howToMake =
  'generate one with `npx sessionkit secret` (32 random bytes, base64url) and set it in the environment';

/**
 * Why `secret` is unfit to protect sessions, or undefined when it is fine: too short, a
 * known placeholder, or obviously low in entropy (security cases K-01, K-02). The reason
 * never quotes the secret (K-07).
 */
export function secretWeakness(secret: string): string | undefined {
  const lower = secret.trim().toLowerCase();
  if (knownDefaults.has(lower) || /^<<.*>>$/.test(lower) || /^<.*>$/.test(lower)) {
    return 'is a well-known placeholder value';
  }
  // Placeholders repeated or glued together, with any separators: `changeme-changeme`.
  let rest = lower.replace(/[^a-z0-9]/g, '');
  for (const placeholder of knownDefaults) {
    const bare = placeholder.replace(/[^a-z0-9]/g, '');
    if (bare.length >= 6) rest = rest.replaceAll(bare, '');
  }
  if (rest === '') return 'is a well-known placeholder value, repeated';
  if (Buffer.byteLength(secret) < 32) return `is shorter than 32 characters (${secret.length})`;
  if (new Set(secret).size < 8) return 'has fewer than 8 distinct characters';
  if (/^\d+$/.test(secret)) return 'is made of digits only';
  for (let period = 1; period <= 16; period++) {
    if (
      secret.length >= 2 * period &&
      secret === secret.slice(0, period).repeat(secret.length / period)
    ) {
      return 'repeats a short pattern';
    }
  }
  return undefined;
}

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
 * `insecure_secret` naming the variable and how to make one. In development a missing or
 * unusable secret is replaced by a random one for this process, with a single warning.
 *
 * @example
 * const app = compose(wrapSession(sessionOptionsFromEnv()), wrapFlash())(router);
 */
export function sessionOptionsFromEnv(
  env: SessionEnv = process.env,
  options: SessionEnvOptions = {},
): SessionOptions {
  checkOptions('sessionOptionsFromEnv', options, ['logger', 'now', 'store']);
  const logger = loggerOption('sessionOptionsFromEnv', options.logger, consoleLogger, ['warn']);
  const production = env.NODE_ENV === 'production';
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
  if (options.store !== undefined) {
    return {
      store: options.store({ idleTimeoutSeconds, absoluteTimeoutSeconds, ...now }),
      ...attrs,
    };
  }

  const previous = (env.COOKIE_SECRET_PREVIOUS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const secrets = [checkedSecret(env.COOKIE_SECRET, 'COOKIE_SECRET', production, logger)];
  for (const [i, secret] of previous.entries()) {
    const weakness = secretWeakness(secret);
    if (weakness === undefined) secrets.push(secret);
    else if (production) throw insecure(`COOKIE_SECRET_PREVIOUS (entry ${i + 1})`, weakness);
    else
      logger.warn(`sessionkit: COOKIE_SECRET_PREVIOUS entry ${i + 1} ${weakness}; it is ignored`);
  }
  return {
    store: cookieStore({
      secrets,
      cookieName,
      idleTimeoutSeconds,
      absoluteTimeoutSeconds,
      ...now,
    }),
    ...attrs,
  };
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
  if (weakness === undefined) return given;
  if (production) throw insecure(variable, weakness);
  if (Buffer.byteLength(given) >= 32) {
    logger.warn(`sessionkit: ${variable} ${weakness}; production would refuse it (${howToMake})`);
    return given;
  }
  logger.warn(
    `sessionkit: ${variable} ${weakness}; using a random secret for this process instead, so sessions end when it restarts (${howToMake})`,
  );
  return randomSecret();
}

function insecure(variable: string, weakness: string): SessionkitError {
  return new SessionkitError(
    'insecure_secret',
    `sessionkit: ${variable} ${weakness}, so anyone could forge sessions; refusing to start in production: ${howToMake}`,
  );
}

/** K-08: a Secure production cookie gets the `__Host-` prefix unless COOKIE_NAME names it. */
function defaultName(production: boolean): string {
  return production ? sessionDefaults.productionCookieName : sessionDefaults.cookieName;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function seconds(
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
