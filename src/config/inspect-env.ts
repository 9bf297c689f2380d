// `sessionkit open`'s view of the environment: the stores the application would build from the
// same variables (sessionOptionsFromEnv), each able to say what it makes of a cookie value.
// Nothing here unseals: the stores' own `inspect` does, with the code that reads requests.
import { SessionkitError } from '../core/errors.ts';
import { secretWeakness } from '../crypto/secret.ts';
import { isProduction } from '../core/options.ts';
import type { SessionEnv } from './env.ts';
import { checkedAudience, defaultName, nonEmpty, seconds } from './env.ts';
import { decodeSessionKey } from '../session/session-key.ts';
import { timeoutDefaults } from '../session/timeouts.ts';
import { cookieStore } from '../stores/cookie/cookie-store.ts';
import type { CookieInspection } from '../stores/cookie/cookie-store.ts';
import { ringCookieStore } from '../stores/ring/ring-cookie-store.ts';
import type { RingInspection } from '../stores/ring/ring-cookie-store.ts';

/** What a value is, according to the store that opened it (or the one whose failure says most). */
export type EnvOpening =
  | {
      readonly format: 'sessionkit';
      /** The variable holding the secret that opened it, when one did. */
      readonly key: string | undefined;
      readonly inspection: CookieInspection;
    }
  | { readonly format: 'ring'; readonly key: string; readonly inspection: RingInspection };

/** The configured keys and how to open a value with them. */
export interface EnvInspector {
  /** The session cookie's name (`COOKIE_NAME`). */
  readonly cookieName: string;
  /** Each secret sessionkit's format would try, by variable, with its public key id. */
  readonly keys: readonly { readonly variable: string; readonly keyId: string }[];
  /** What was left out, and why (a weak previous secret, as the application ignores it). */
  readonly notes: readonly string[];
  /** Opens `value` (the cookie's value, or `name=value`). Never throws. */
  inspect(value: string): EnvOpening;
}

const ringShared = "COOKIE_SECRET (Ring's format, SESSION_STORE=ring)";
const ringLegacy = "RING_COOKIE_SECRET (Kit's format; re-sealed on the next request)";

/**
 * The stores `sessionOptionsFromEnv(env)` would build, for `sessionkit open`: sessionkit's
 * cookie store under `COOKIE_SECRET` and `COOKIE_SECRET_PREVIOUS` (with `SESSION_AUDIENCE`,
 * `COOKIE_NAME` (by default `__Host-session` with `NODE_ENV=production`) and the timeouts), plus Ring's under `RING_COOKIE_SECRET`; or Ring's alone
 * with `SESSION_STORE=ring`. Unlike the application in development, a missing secret is an
 * error here (a random one would open nothing). Throws `SessionkitError` naming the variable;
 * never includes a secret.
 *
 * @example
 * const opening = inspectorFromEnv(process.env).inspect(cookieValue);
 */
export function inspectorFromEnv(env: SessionEnv): EnvInspector {
  const cookieName = nonEmpty(env.COOKIE_NAME)?.trim() ?? defaultName(isProduction(env.NODE_ENV));
  const idleTimeoutSeconds =
    seconds(env, 'SESSION_IDLE_TIMEOUT') ?? timeoutDefaults.idleTimeoutSeconds;
  const absoluteTimeoutSeconds = Math.max(
    seconds(env, 'SESSION_ABSOLUTE_TIMEOUT') ?? timeoutDefaults.absoluteTimeoutSeconds,
    idleTimeoutSeconds,
  );
  const timeouts = { idleTimeoutSeconds, absoluteTimeoutSeconds, touchAfterSeconds: 0 };
  const kind = nonEmpty(env.SESSION_STORE)?.trim() ?? 'cookie';
  const secret = nonEmpty(env.COOKIE_SECRET)?.trim();
  if (kind !== 'cookie' && kind !== 'ring') {
    throw new SessionkitError(
      'invalid_option',
      `sessionkit open: SESSION_STORE is invalid: got ${JSON.stringify(kind.slice(0, 40))}, expected cookie or ring: with a server-side store the cookie holds only an id, and the session is in the store`,
    );
  }
  if (secret === undefined) {
    throw new SessionkitError(
      'insecure_secret',
      `sessionkit open: COOKIE_SECRET is not set: set it (and COOKIE_SECRET_PREVIOUS, SESSION_AUDIENCE, COOKIE_NAME) as the application has them`,
    );
  }
  /** The store key in what was pasted: `name=` dropped, percent-escapes decoded as wrapSession does. */
  const strip = (value: string): string => {
    const trimmed = value.trim();
    const cookie = trimmed.startsWith(`${cookieName}=`)
      ? trimmed.slice(cookieName.length + 1)
      : trimmed;
    return decodeSessionKey(cookie) ?? cookie;
  };

  if (kind === 'ring') {
    const ring = ringCookieStore({ key: secret, ...timeouts });
    return {
      cookieName,
      keys: [],
      notes: [],
      inspect: (value) => ({
        format: 'ring',
        key: ringShared,
        inspection: ring.inspect(strip(value)),
      }),
    };
  }

  const variables = ['COOKIE_SECRET'];
  const secrets = [secret];
  const notes: string[] = [];
  const previous = (env.COOKIE_SECRET_PREVIOUS ?? '').split(',').map((s) => s.trim());
  for (const [i, candidate] of previous.filter((s) => s !== '').entries()) {
    const weakness = secretWeakness(candidate);
    if (weakness === undefined) {
      secrets.push(candidate);
      variables.push(`COOKIE_SECRET_PREVIOUS entry ${i + 1}`);
    } else {
      notes.push(
        `COOKIE_SECRET_PREVIOUS entry ${i + 1} ${weakness}; it is left out, as the application leaves it out`,
      );
    }
  }
  const store = cookieStore({
    secrets,
    audience: checkedAudience(env.SESSION_AUDIENCE),
    cookieName,
    cacheEntries: 0,
    ...timeouts,
  });
  const ringSecret = nonEmpty(env.RING_COOKIE_SECRET)?.trim();
  const legacy =
    ringSecret === undefined ? undefined : ringCookieStore({ key: ringSecret, ...timeouts });
  return {
    cookieName,
    keys: variables.map((variable, i) => ({ variable, keyId: store.keyIds[i]! })),
    notes,
    inspect(raw) {
      const value = strip(raw);
      const inspection = store.inspect(value);
      const own: EnvOpening = {
        format: 'sessionkit',
        key: inspection.opened ? variables[inspection.keyIndex] : undefined,
        inspection,
      };
      if (inspection.opened || legacy === undefined) return own;
      const ring = legacy.inspect(value);
      // A value that names our format is ours to explain; anything else may be Kit's.
      if (ring.opened || !/^v[12]\./.test(value)) {
        return { format: 'ring', key: ringLegacy, inspection: ring };
      }
      return own;
    },
  };
}
