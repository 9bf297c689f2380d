// The cookie store's options, their defaults and the checks made on them at construction.
import { SessionkitError, invalidOption } from '../../core/errors.ts';
import type { Secret } from '../../crypto/keys.ts';
import type { ProviderChoice } from '../../crypto/seal.ts';
import { sessionDefaults } from '../../session/defaults.ts';
import type { Revocations } from '../../session/revocations.ts';
import type { TimeoutOptions } from '../../session/store.ts';
import type { ResolvedTimeouts } from '../../session/timeouts.ts';

/** Options of {@link cookieStore}. */
export interface CookieStoreOptions extends TimeoutOptions {
  /**
   * The secrets, current first. Each is key material (what `npx sessionkit secret` prints:
   * the base64url, base64 or hex of 32 or more random bytes; or random bytes), or any other
   * string of at least 32 bytes, which is then stretched with scrypt once, here (~100 ms).
   * Placeholders, short and low-entropy secrets throw `insecure_secret` (K-01, K-02). The
   * first seals; the others are previous secrets that still open, and a value opened with
   * one of them is re-sealed with the first on the same response (security case C-06).
   */
  secrets: readonly Secret[];
  /**
   * The deployment these sessions belong to, such as `'shop-production'`: bound into the
   * keys and the sealed value, so a cookie from another deployment that shares the secret
   * (staging, another app) never opens here. Never share secrets across environments anyway.
   * @default '' (none)
   */
  audience?: string | undefined;
  /**
   * The session cookie's name, sealed into every value as associated data.
   * @default 'session'
   */
  cookieName?: string | undefined;
  /**
   * The sliding throttle: a read marks the session stale (the middleware re-seals it with a
   * new last-activity time) once its last activity is at least this old. 0 re-seals on every
   * request. Must be smaller than `idleTimeoutSeconds`, so an active user is never logged out.
   * @default a tenth of idleTimeoutSeconds, rounded down (so 0, a refresh on every request, when the idle timeout is under 10 s)
   */
  touchAfterSeconds?: number | undefined;
  /**
   * How many opened values to remember, so that the same cookie on the next request skips
   * decryption (timeouts are still checked and the JSON still parsed on every read). 0 turns
   * the cache off.
   * @default 1000
   */
  cacheEntries?: number | undefined;
  /**
   * Who computes XChaCha20-Poly1305: `'auto'` takes the optional `sodium-native` package when
   * it is installed (about twice as fast), else node:crypto. Both write identical bytes.
   * @default 'auto'
   */
  provider?: ProviderChoice | undefined;
  /**
   * A revocation list (`memoryRevocations()`, or `redisRevocations({ client })` from
   * `sessionkit/redis` for several servers). With one, a logout (`session: null`) and a
   * regeneration revoke the session's id, so that no copy of the cookie opens again
   * (security cases L-07, Q-04), and `revocations.revokeSubject(subject)` ends every session of
   * a subject (L-13). Checked on every read, in memory. Without one, a copied cookie opens
   * until its idle or absolute deadline.
   * @default none
   */
  revocations?: Revocations | undefined;
}
/** The defaults of {@link cookieStore} besides the timeouts (see `timeoutDefaults`). */
export const cookieStoreDefaults = Object.freeze({
  cookieName: sessionDefaults.cookieName,
  cacheEntries: 1000,
  audience: '',
  provider: 'auto',
});

/** The option names {@link cookieStore} knows; any other is refused (with a suggestion). */
export const cookieStoreOptionNames = [
  'secrets',
  'audience',
  'cookieName',
  'cacheEntries',
  'idleTimeoutSeconds',
  'absoluteTimeoutSeconds',
  'touchAfterSeconds',
  'provider',
  'revocations',
  'now',
] as const;
/** The `revocations` option, checked: a list that keeps subjects at least as long as sessions live. */
export function checkRevocations(
  revocations: Revocations | undefined,
  timeouts: ResolvedTimeouts,
): Revocations | undefined {
  if (revocations === undefined) return undefined;
  // What a caller without types may pass: anything.
  const list = revocations as unknown as Partial<Record<keyof Revocations, unknown>> | null;
  if (
    typeof list !== 'object' ||
    list === null ||
    typeof list.isRevoked !== 'function' ||
    typeof list.revoke !== 'function' ||
    typeof list.revokeSubject !== 'function'
  ) {
    throw invalidOption(
      'cookieStore',
      'revocations',
      revocations,
      'a revocation list such as memoryRevocations() or redisRevocations({ client })',
    );
  }
  const kept: unknown = list.absoluteTimeoutSeconds;
  if (typeof kept !== 'number' || kept < timeouts.absoluteTimeoutSeconds) {
    throw new SessionkitError(
      'invalid_option',
      `cookieStore: option revocations is invalid: got a list that keeps a subject's revocation ${String(kept)} s, expected at least absoluteTimeoutSeconds (${timeouts.absoluteTimeoutSeconds} s), or a session could outlive it: give the list the same absoluteTimeoutSeconds`,
    );
  }
  return revocations;
}
