import { SessionkitError, invalidOption } from '../../core/errors.ts';
import { parseSessionJson, stringifySession } from '../../session/session-json.ts';
import type { Secret } from '../../crypto/keys.ts';
import { isToken } from '../../cookies/serialize.ts';
import { MAX_COOKIE_BYTES } from '../../core/limits.ts';
import { checkOptions } from '../../core/options.ts';
import { createSealer } from '../../crypto/seal.ts';
import type { ProviderChoice, Sealer, Unsealed } from '../../crypto/seal.ts';
import type { SessionStore, StoredSession, TimeoutOptions } from '../../session/store.ts';
import { resolveTimeouts, timeoutHints } from '../../session/timeouts.ts';
import { sessionDefaults } from '../../session/defaults.ts';
import type { ResolvedTimeouts } from '../../session/timeouts.ts';
import type { SessionData } from '../../core/types.ts';

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
}

/** The cookie store: a {@link SessionStore} whose key is the sealed session itself. */
export interface CookieStore extends SessionStore {
  readonly cookieName: string;
  /** Always seals: a stateless store cannot tell a deleted session from a live one. */
  write(key: string | undefined, data: SessionData, createdAt?: number): Promise<string>;
}

/** The defaults of {@link cookieStore} besides the timeouts (see `timeoutDefaults`). */
export const cookieStoreDefaults = Object.freeze({
  cookieName: sessionDefaults.cookieName,
  cacheEntries: 1000,
  audience: '',
  provider: 'auto',
});

/**
 * How many values deleted at logout a cookie store remembers, so that a refresh of one of
 * them by a request still in flight is not sent (security case Q-04). A store in another
 * process cannot know; the value then stays usable until its idle or absolute deadline.
 */
const rememberedDeletions = 1000;
const cookieStoreOptionNames = [
  'secrets',
  'audience',
  'cookieName',
  'cacheEntries',
  'idleTimeoutSeconds',
  'absoluteTimeoutSeconds',
  'touchAfterSeconds',
  'provider',
  'now',
] as const;

/**
 * Issued-at times may run this far ahead of our clock (another server's); never added to
 * expiry checks. Servers sharing the secrets need clocks synchronised well within it.
 */
const clockSkewSeconds = 60;

/**
 * The default session store: the whole session, sealed with XChaCha20-Poly1305 (format v2,
 * padded to 32-byte blocks), is the cookie value; nothing is kept on the server, so any
 * number of app servers sharing the secrets (and the audience) can read it. The idle and
 * absolute timeouts are enforced from times sealed in the value, not from the cookie's
 * `Max-Age` (OWASP Session Management Cheat Sheet, "Session Expiration"). A value of format
 * v1 (sessionkit 0.1) still reads, as stale, so the middleware re-seals it as v2.
 *
 * A copied cookie stays valid until its idle or absolute deadline: a stateless store cannot
 * revoke a value, and an older copy brings back older data. Logging out expires the cookie
 * in the browser only; use a server-side store when a stolen cookie must die at logout, and
 * for counters that must never go back (credits, failed attempts).
 *
 * @example
 * const store = cookieStore({
 *   secrets: [process.env.COOKIE_SECRET!, process.env.PREVIOUS_COOKIE_SECRET!],
 *   cookieName: '__Host-session',
 *   absoluteTimeoutSeconds: 8 * 3600,
 * });
 * const app = wrapSession({ store })(handler);
 */
export function cookieStore(options: CookieStoreOptions): CookieStore {
  return new SealedCookieStore(options);
}

class SealedCookieStore implements CookieStore {
  readonly cookieName: string;
  readonly #sealer: Sealer;
  readonly #timeouts: ResolvedTimeouts;
  /** Longest sealed value that still fits `name=value` in a cookie. */
  readonly #maxValueLength: number;
  readonly #cache: OpenedCache;
  /** Values deleted here lately, oldest first. */
  readonly #deleted = new Set<string>();

  constructor(options: CookieStoreOptions) {
    checkOptions('cookieStore', options, cookieStoreOptionNames, timeoutHints);
    if (options === undefined) {
      throw invalidOption('cookieStore', 'options', undefined, 'an object with secrets');
    }
    const cookieName = options.cookieName ?? cookieStoreDefaults.cookieName;
    if (typeof cookieName !== 'string' || !isToken(cookieName)) {
      throw invalidOption(
        'cookieStore',
        'cookieName',
        cookieName,
        'a cookie name (RFC 6265 token)',
      );
    }
    const cacheEntries = options.cacheEntries ?? cookieStoreDefaults.cacheEntries;
    if (!Number.isSafeInteger(cacheEntries) || cacheEntries < 0) {
      throw invalidOption('cookieStore', 'cacheEntries', cacheEntries, 'a whole number, 0 or more');
    }
    this.#timeouts = resolveTimeouts('cookieStore', options);
    this.#sealer = createSealer({
      secrets: options.secrets,
      cookieName,
      audience: options.audience ?? cookieStoreDefaults.audience,
      provider: options.provider ?? cookieStoreDefaults.provider,
    });
    this.cookieName = cookieName;
    this.#maxValueLength = MAX_COOKIE_BYTES - cookieName.length - 1;
    this.#cache = new OpenedCache(cacheEntries);
    Object.freeze(this);
  }

  read(key: string): Promise<StoredSession | undefined> {
    return Promise.resolve(this.#read(key));
  }

  write(_key: string | undefined, data: SessionData, createdAt?: number): Promise<string> {
    return settle(() => {
      const now = this.#seconds();
      return this.#seal(data, createdAt ?? now, now);
    });
  }

  touch(key: string): Promise<string | undefined> {
    // a request that read the session before a logout must not re-send it refreshed
    // after the logout expired it. Only this process can tell; writes are not refused
    // (a stateless store cannot know, see SessionStore.write).
    if (this.#deleted.has(key)) return Promise.resolve(undefined);
    // Re-seals the authenticated copy (a cache hit), never the object a handler may have
    // changed in place: touching moves the deadline and nothing else.
    return settle(() => {
      const session = this.#read(key);
      return session === undefined
        ? undefined
        : this.#seal(session.data, session.createdAt, this.#seconds());
    });
  }

  /**
   * Nothing to delete on the server: the middleware expires the cookie. The value is
   * forgotten by the cache and remembered as deleted, so that this process does not refresh
   * it afterwards.
   */
  delete(key: string): Promise<void> {
    if (typeof key === 'string') {
      this.#cache.delete(key);
      this.#deleted.add(key);
      if (this.#deleted.size > rememberedDeletions) {
        for (const oldest of this.#deleted) {
          this.#deleted.delete(oldest);
          break;
        }
      }
    }
    return Promise.resolve();
  }

  #seconds(): number {
    return Math.floor(this.#timeouts.now() / 1000);
  }

  #read(key: string): StoredSession | undefined {
    const opened = this.#open(key);
    if (opened === undefined) return undefined;
    let payload: unknown;
    try {
      payload = parseSessionJson(opened.plaintext); // drops __proto__, constructor, prototype (C-13)
    } catch {
      return undefined;
    }
    if (typeof payload !== 'object' || payload === null) return undefined;
    const { c, a, d } = payload as { c?: unknown; a?: unknown; d?: unknown };
    if (typeof c !== 'number' || typeof a !== 'number' || !Number.isFinite(c + a)) return undefined;
    if (typeof d !== 'object' || d === null || Array.isArray(d)) return undefined;
    const now = this.#seconds();
    const { idleTimeoutSeconds, absoluteTimeoutSeconds, touchAfterSeconds } = this.#timeouts;
    if (c > now + clockSkewSeconds || a > now + clockSkewSeconds) return undefined;
    // OWASP SM "Idle Timeout" and "Absolute Timeout", enforced server-side (C-09, C-10).
    if (now - a >= idleTimeoutSeconds || now - c >= absoluteTimeoutSeconds) return undefined;
    return {
      data: d as SessionData,
      createdAt: c,
      // C-06: a previous secret, or format v1: re-sealed (as v2, with the current secret).
      stale: opened.keyIndex > 0 || opened.version !== 2 || now - a >= touchAfterSeconds,
    };
  }

  /** Unseals `key`, or takes its plaintext from the cache; only authentic values are cached. */
  #open(key: string): Unsealed | undefined {
    if (typeof key !== 'string' || key.length > this.#maxValueLength) return undefined;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const opened = this.#sealer.unseal(key);
    if (opened !== undefined) this.#cache.set(key, opened);
    return opened;
  }

  #seal(data: SessionData, createdAt: number, now: number): string {
    if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) {
      throw invalidOption(
        'cookieStore',
        'createdAt',
        createdAt,
        'a finite number of epoch seconds',
      );
    }
    const plaintext = `{"c":${createdAt},"a":${now},"d":${stringifySession(data)}}`;
    const sealed = this.#sealer.seal(plaintext);
    if (sealed.length > this.#maxValueLength) {
      // Z-01: sizes only, never contents (RFC 6265 §6.1: user agents keep 4096 bytes per cookie).
      throw new SessionkitError(
        'cookie_too_large',
        `cookieStore: the session cookie would be ${this.cookieName.length + 1 + sealed.length} bytes, over the ${MAX_COOKIE_BYTES}-byte limit of a cookie; store less in the session (it holds ${plaintext.length} characters of JSON before encryption) or use a server-side store such as memoryStore`,
      );
    }
    this.#cache.set(sealed, { plaintext, keyIndex: 0, version: 2 });
    return sealed;
  }
}

/** An opened value as the cache keeps it: the whole sealed value and what it opened to. */
class CachedValue implements Unsealed {
  constructor(
    readonly sealed: string,
    readonly tail: string,
    readonly plaintext: string,
    readonly keyIndex: number,
    readonly version: 1 | 2,
    /** Its place in the ring, so that a delete can drop it from memory at once. */
    readonly slot: number,
  ) {}
}

/** What a deleted entry's ring slot holds: nothing of the session stays in memory. */
const vacant = new CachedValue('', '', '', 0, 2, -1);

/** The last 22 base64url characters of a sealed value: its 16-byte tag, near enough. */
function tagOf(sealed: string): string {
  return sealed.slice(-22);
}

/**
 * A bounded cache of opened values, evicted oldest first. It is found by the value's tag and
 * then compared in full: hashing a whole ~350-character value, a fresh string on every
 * request, made each Map lookup cost about 0.4 µs.
 */
class OpenedCache {
  readonly #capacity: number;
  readonly #byTag = new Map<string, CachedValue>();
  /** Every entry set, oldest at `#next` once full; one that was replaced or deleted evicts nothing. */
  readonly #ring: CachedValue[] = [];
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(sealed: string): Unsealed | undefined {
    const cached = this.#byTag.get(tagOf(sealed));
    return cached !== undefined && cached.sealed === sealed ? cached : undefined;
  }

  set(sealed: string, { plaintext, keyIndex, version }: Unsealed): void {
    if (this.#capacity === 0) return;
    const full = this.#ring.length === this.#capacity;
    const slot = full ? this.#next : this.#ring.length;
    const cached = new CachedValue(sealed, tagOf(sealed), plaintext, keyIndex, version, slot);
    if (full) {
      const oldest = this.#ring[slot]!;
      if (this.#byTag.get(oldest.tail) === oldest) this.#byTag.delete(oldest.tail);
      this.#ring[slot] = cached;
      this.#next = (slot + 1) % this.#capacity;
    } else {
      this.#ring.push(cached);
    }
    this.#byTag.set(cached.tail, cached);
  }

  /** Forgets `sealed` entirely: the Map entry and the ring slot (logout). */
  delete(sealed: string): void {
    const cached = this.#byTag.get(tagOf(sealed));
    if (cached === undefined || cached.sealed !== sealed) return;
    this.#byTag.delete(cached.tail);
    if (this.#ring[cached.slot] === cached) this.#ring[cached.slot] = vacant;
  }
}

/** Runs `work` now, synchronously, and gives its result or its throw as a promise. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()));
}
