import { SessionkitError, invalidOption } from '../../core/errors.ts';
import { isToken } from '../../cookies/serialize.ts';
import { MAX_COOKIE_BYTES } from '../../core/limits.ts';
import { checkOptions } from '../../core/options.ts';
import { createSealer } from '../../crypto/seal.ts';
import type { SealFailure, Sealer, Unsealed } from '../../crypto/seal.ts';
import type { Revocations } from '../../session/revocations.ts';
import { subjectProblem } from '../../session/revocations.ts';
import { newSessionId } from '../../session/session-id.ts';
import { settle } from '../../session/store.ts';
import type { SessionStore, StoredSession } from '../../session/store.ts';
import { resolveTimeouts, timeoutHints } from '../../session/timeouts.ts';
import type { ResolvedTimeouts } from '../../session/timeouts.ts';
import type { SessionData } from '../../core/types.ts';
import type { CookieInspection, OpenedCookie } from './inspection.ts';
import { CachedValue, OpenedCache } from './opened-cache.ts';
import { checkRevocations, cookieStoreDefaults, cookieStoreOptionNames } from './options.ts';
import type { CookieStoreOptions } from './options.ts';
import { dataTextOf, parseData, parsePayload, stringifyPayload } from './payload.ts';
import { stringifySession } from '../../session/session-json.ts';
import type { Header, Payload } from './payload.ts';

export { cookieStoreDefaults } from './options.ts';
export type { CookieStoreOptions } from './options.ts';
export type { CookieInspection, OpenedCookie, UnopenedCookie } from './inspection.ts';

/** The cookie store: a {@link SessionStore} whose key is the sealed session itself. */
export interface CookieStore extends SessionStore {
  readonly cookieName: string;
  /** It keeps a subject with each session (sealed beside the data). */
  readonly subjects: true;
  /**
   * The public id of each secret, in the order given: a value of format 2 names the one that
   * sealed it (`v2.<key id>.…`). Ids are derived from the secret and the audience; they tell
   * nothing about the secret.
   */
  readonly keyIds: readonly string[];
  /**
   * Seals a new session: always a value. With a `key` it seals a new value of that session
   * (same id, same subject unless `subject` says otherwise), and resolves to undefined only
   * when a revocation list says the session was revoked meanwhile.
   */
  write(
    key: undefined,
    data: SessionData,
    createdAt?: number,
    subject?: string | null,
  ): Promise<string>;
  write(
    key: string | undefined,
    data: SessionData,
    createdAt?: number,
    subject?: string | null,
  ): Promise<string | undefined>;
  /**
   * `read`, `write` and `touch` answered at once: each returns what its asynchronous twin
   * resolves to and throws what it rejects with. `wrapSession` calls these, so that a request
   * costs no promise.
   */
  readSync(key: string): StoredSession | undefined;
  writeSync(key: undefined, data: SessionData, createdAt?: number, subject?: string | null): string;
  writeSync(
    key: string | undefined,
    data: SessionData,
    createdAt?: number,
    subject?: string | null,
  ): string | undefined;
  touchSync(key: string): string | undefined;
  /**
   * What this store makes of a cookie value, for debugging (`sessionkit open`): the session
   * it holds and why it would or would not be read, or why it does not open. Never throws.
   */
  inspect(value: string): CookieInspection;
}

/**
 * How many values deleted at logout a cookie store without a revocation list remembers, so
 * that a refresh of one of them by a request still in flight is not sent (security case
 * A store in another process cannot know; the value then stays usable until its idle
 * or absolute deadline. With a revocation list, every process knows.
 */
const rememberedDeletions = 1000;

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
 * Every value carries a random session id and, when the application attached one with the
 * response's `sessionSubject`, a subject (such as the user id). Without `revocations`, a
 * copied cookie stays valid until its idle or absolute deadline and an older copy brings
 * back older data. With `revocations`, logging out revokes the session's id, so that no copy
 * opens again, and `revocations.revokeSubject(userId)` logs a user out everywhere. Counters
 * that must never go back (credits, failed attempts) belong in a server-side store anyway.
 *
 * @example
 * const revocations = memoryRevocations();
 * const store = cookieStore({
 *   secrets: [process.env.COOKIE_SECRET!, process.env.PREVIOUS_COOKIE_SECRET!],
 *   cookieName: '__Host-session',
 *   absoluteTimeoutSeconds: 8 * 3600,
 *   revocations,
 * });
 * const app = wrapSession({ store })(handler);
 */
export function cookieStore(options: CookieStoreOptions): CookieStore {
  return new SealedCookieStore(options);
}

type Lapse = 'idle-expired' | 'absolute-expired' | 'from-the-future';

class SealedCookieStore implements CookieStore {
  readonly cookieName: string;
  readonly subjects = true;
  readonly keyIds: readonly string[];
  readonly #sealer: Sealer;
  readonly #timeouts: ResolvedTimeouts;
  /** Longest sealed value that still fits `name=value` in a cookie. */
  readonly #maxValueLength: number;
  readonly #cache: OpenedCache;
  readonly #revocations: Revocations | undefined;
  /** Values deleted here lately, oldest first (without a revocation list). */
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
    this.#revocations = checkRevocations(options.revocations, this.#timeouts);
    this.#sealer = createSealer({
      secrets: options.secrets,
      cookieName,
      audience: options.audience ?? cookieStoreDefaults.audience,
      provider: options.provider ?? cookieStoreDefaults.provider,
    });
    this.cookieName = cookieName;
    this.keyIds = this.#sealer.keyIds;
    this.#maxValueLength = MAX_COOKIE_BYTES - cookieName.length - 1;
    this.#cache = new OpenedCache(cacheEntries);
    Object.freeze(this);
  }

  read(key: string): Promise<StoredSession | undefined> {
    // Rejects only when the revocation list cannot answer: wrapSession's 503.
    return settle(() => this.#read(key));
  }

  readSync(key: string): StoredSession | undefined {
    return this.#read(key);
  }

  write(
    key: undefined,
    data: SessionData,
    createdAt?: number,
    subject?: string | null,
  ): Promise<string>;
  write(
    key: string | undefined,
    data: SessionData,
    createdAt?: number,
    subject?: string | null,
  ): Promise<string | undefined>;
  write(
    key: string | undefined,
    data: SessionData,
    createdAt?: number,
    subject?: string | null,
  ): Promise<string | undefined> {
    return settle(() => this.writeSync(key, data, createdAt, subject));
  }

  writeSync(key: undefined, data: SessionData, createdAt?: number, subject?: string | null): string;
  writeSync(
    key: string | undefined,
    data: SessionData,
    createdAt?: number,
    subject?: string | null,
  ): string | undefined;
  writeSync(
    key: string | undefined,
    data: SessionData,
    createdAt?: number,
    subject?: string | null,
  ): string | undefined {
    const ms = this.#timeouts.now();
    const now = Math.floor(ms / 1000);
    if (subject !== undefined && subject !== null) {
      const problem = subjectProblem(subject);
      if (problem !== undefined) throw invalidOption('cookieStore', 'subject', subject, problem);
    }
    let id: string | undefined;
    let kept: string | undefined;
    if (key !== undefined) {
      const header = this.#header(key);
      if (typeof header !== 'string' && this.#lapse(header, now) === undefined) {
        // a request that read the session before its logout cannot seal it again.
        if (this.#revocations?.isRevoked(header.id, header.subject) === true) return undefined;
        id = header.id;
        kept = header.subject;
      }
    }
    const next = subject === undefined ? kept : (subject ?? undefined);
    // A new session, or a new subject on this one: a new identity.
    if (id === undefined || next !== kept) id = newSessionId(ms);
    return this.#seal(data, createdAt ?? now, now, id, next);
  }

  touch(key: string): Promise<string | undefined> {
    return settle(() => this.touchSync(key));
  }

  touchSync(key: string): string | undefined {
    // a request that read the session before a logout must not re-send it refreshed
    // after the logout expired it. Without a revocation list only this process can tell,
    // and writes are not refused; with one, #read below answers for every process.
    if (this.#deleted.has(key)) return undefined;
    // Re-seals the authenticated copy (a cache hit), never the object a handler may have
    // changed in place: touching moves the deadline and nothing else.
    const session = this.#read(key);
    const header = this.#header(key);
    if (session === undefined || typeof header === 'string') return undefined;
    return this.#seal(session.data, session.createdAt, this.#seconds(), header.id, header.subject);
  }

  /**
   * With a revocation list, the session's id is revoked until its absolute expiry, so that
   * no copy of the cookie opens again (L-07). Without one there is nothing to delete on the
   * server: the middleware expires the cookie, a copy of it still opens, and this process
   * only remembers the value so as not to refresh it afterwards.
   */
  delete(key: string): Promise<void> {
    if (typeof key !== 'string') return Promise.resolve();
    const revocations = this.#revocations;
    const header = revocations === undefined ? undefined : this.#header(key);
    this.#cache.delete(key);
    if (revocations === undefined) {
      this.#deleted.add(key);
      if (this.#deleted.size > rememberedDeletions) {
        for (const oldest of this.#deleted) {
          this.#deleted.delete(oldest);
          break;
        }
      }
      return Promise.resolve();
    }
    if (header === undefined || typeof header === 'string') return Promise.resolve();
    const until = header.createdAt + this.#timeouts.absoluteTimeoutSeconds;
    if (until <= this.#seconds()) return Promise.resolve(); // past its absolute expiry already
    return new Promise<void>((resolve) => resolve(revocations.revoke(header.id, until)));
  }

  inspect(value: string): CookieInspection {
    const keyId =
      typeof value === 'string' && value.startsWith('v2.') && value.charAt(15) === '.'
        ? value.slice(3, 15)
        : undefined;
    const opened = this.#open(value);
    if (typeof opened === 'string') return { opened: false, reason: opened, keyId };
    const payload = parsePayload(opened.plaintext, value);
    if (payload === undefined) return { opened: false, reason: 'not-a-session', keyId };
    const { idleTimeoutSeconds, absoluteTimeoutSeconds } = this.#timeouts;
    let state: OpenedCookie['state'] = this.#lapse(payload, this.#seconds()) ?? 'valid';
    if (state === 'valid' && this.#revocations !== undefined) {
      try {
        if (this.#revocations.isRevoked(payload.id, payload.subject)) state = 'revoked';
      } catch {
        state = 'revocations-unavailable';
      }
    }
    return {
      opened: true,
      format: opened.version,
      keyIndex: opened.keyIndex,
      keyId: opened.version === 2 ? keyId : undefined,
      id: payload.id,
      legacyId: payload.legacyId,
      subject: payload.subject,
      createdAt: payload.createdAt,
      activeAt: payload.activeAt,
      idleDeadline: payload.activeAt + idleTimeoutSeconds,
      absoluteDeadline: payload.createdAt + absoluteTimeoutSeconds,
      data: payload.data,
      state,
    };
  }

  #seconds(): number {
    return Math.floor(this.#timeouts.now() / 1000);
  }

  /** Why a session with these times does not read at `now`, or undefined when it does. */
  #lapse(header: Header, now: number): Lapse | undefined {
    const { createdAt, activeAt } = header;
    if (createdAt > now + clockSkewSeconds || activeAt > now + clockSkewSeconds) {
      return 'from-the-future';
    }
    // OWASP SM "Idle Timeout" and "Absolute Timeout", enforced server-side (C-09, C-10).
    if (now - activeAt >= this.#timeouts.idleTimeoutSeconds) return 'idle-expired';
    if (now - createdAt >= this.#timeouts.absoluteTimeoutSeconds) return 'absolute-expired';
    return undefined;
  }

  #read(key: string): StoredSession | undefined {
    const opened = this.#open(key);
    if (typeof opened === 'string') return undefined;
    const payload = this.#payload(opened, key);
    if (payload === undefined) return undefined;
    const now = this.#seconds();
    if (this.#lapse(payload, now) !== undefined) return undefined;
    // L-07, L-13: revoked by a logout, or with every session of its subject.
    if (this.#revocations?.isRevoked(payload.id, payload.subject) === true) return undefined;
    const session: StoredSession = {
      data: payload.data,
      createdAt: payload.createdAt,
      // C-06: a previous secret, or format v1: re-sealed (as v2, with the current secret);
      // a value without an id is re-sealed with one.
      stale:
        opened.keyIndex > 0 ||
        opened.version !== 2 ||
        payload.legacyId ||
        now - payload.activeAt >= this.#timeouts.touchAfterSeconds,
    };
    if (payload.subject !== undefined) session.subject = payload.subject;
    return session;
  }

  /**
   * The payload of an opened value: a fresh object on every call, so that a handler that
   * changes its session in place cannot change the cache. For a cached value read before,
   * only the data's JSON is parsed; the header is the one parsed then.
   */
  #payload(opened: CachedValue | Unsealed, key: string): Payload | undefined {
    if (opened instanceof CachedValue && opened.header !== undefined) {
      if (typeof opened.data === 'string') {
        const data = parseData(opened.data);
        // Not `{ ...header, data }`: a spread plus a new key costs about 0.6 µs on Node 20.
        const { createdAt, activeAt, id, subject, legacyId } = opened.header;
        if (data !== undefined) return { createdAt, activeAt, id, subject, legacyId, data };
        opened.data = null;
      }
    }
    const payload = parsePayload(opened.plaintext, key);
    if (payload !== undefined && opened instanceof CachedValue) {
      opened.header ??= headerOf(payload);
      opened.data ??= dataTextOf(opened.plaintext, opened.header) ?? null;
    }
    return payload;
  }

  /** The header of `key`'s payload (from the cache when a read parsed it), or why there is none. */
  #header(key: string): Header | SealFailure | 'not-a-session' {
    const opened = this.#open(key);
    if (typeof opened === 'string') return opened;
    if (opened instanceof CachedValue && opened.header !== undefined) return opened.header;
    const payload = parsePayload(opened.plaintext, key);
    if (payload === undefined) return 'not-a-session';
    const header = headerOf(payload);
    if (opened instanceof CachedValue) opened.header = header;
    return header;
  }

  /** Unseals `key`, or takes it from the cache; only authentic values are cached. */
  #open(key: string): CachedValue | Unsealed | SealFailure {
    if (typeof key !== 'string') return 'unknown-format';
    if (key.length > this.#maxValueLength) return 'too-long';
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const opened = this.#sealer.inspect(key);
    if (typeof opened === 'string') return opened;
    return this.#cache.set(key, opened) ?? opened;
  }

  #seal(
    data: SessionData,
    createdAt: number,
    now: number,
    id: string,
    subject: string | undefined,
  ): string {
    if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) {
      throw invalidOption(
        'cookieStore',
        'createdAt',
        createdAt,
        'a finite number of epoch seconds',
      );
    }
    const json = stringifySession(data); // C-14
    const plaintext = stringifyPayload(createdAt, now, id, subject, json);
    const sealed = this.#sealer.seal(plaintext);
    if (sealed.length > this.#maxValueLength) {
      // Z-01: sizes only, never contents (RFC 6265 §6.1: user agents keep 4096 bytes per cookie).
      throw new SessionkitError(
        'cookie_too_large',
        `cookieStore: the session cookie would be ${this.cookieName.length + 1 + sealed.length} bytes, over the ${MAX_COOKIE_BYTES}-byte limit of a cookie; store less in the session (it holds ${plaintext.length} characters of JSON before encryption) or use a server-side store such as memoryStore`,
      );
    }
    const header: Header = { createdAt, activeAt: now, id, subject, legacyId: false };
    const cached = this.#cache.set(sealed, { plaintext, keyIndex: 0, version: 2 }, header);
    if (cached !== undefined) cached.data = json;
    return sealed;
  }
}

/** The header of a payload, without its data (what the cache keeps). */
function headerOf({ createdAt, activeAt, id, subject, legacyId }: Payload): Header {
  return { createdAt, activeAt, id, subject, legacyId };
}
