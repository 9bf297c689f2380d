import { SessionkitError, invalidOption } from '../../core/errors.ts';
import { checkOptions } from '../../core/options.ts';
import type { SessionData } from '../../core/types.ts';
import type { SessionStore, StoredSession, TimeoutOptions } from '../../session/store.ts';
import { resolveTimeouts } from '../../session/timeouts.ts';
import type { ResolvedTimeouts } from '../../session/timeouts.ts';
import { ednToJson } from './edn-json.ts';
import { parseEdn } from './edn-read.ts';
import { stringifyEdn } from './edn-write.ts';
import { encodeSessionKey } from '../../session/session-key.ts';
import { openRing, ringKey, sealRing } from './ring-seal.ts';
import type { RingFailure } from './ring-seal.ts';

/** Options of {@link ringCookieStore}. */
export interface RingCookieStoreOptions extends TimeoutOptions {
  /**
   * Ring's cookie-store key: exactly 16 bytes, used for AES-128 and HMAC-SHA256 alike. A
   * string is taken as UTF-8, as Kit does with `COOKIE_SECRET`.
   */
  key: string | Uint8Array;
  /**
   * The sliding throttle: a read marks the session stale (the middleware re-seals it with a
   * new last-activity time) once its last activity is at least this old.
   * @default a tenth of idleTimeoutSeconds
   */
  touchAfterSeconds?: number;
  /**
   * How sessions are handed to handlers. `'edn'`: the reversible mapping of
   * `parseEdn` (keywords as `EdnKeyword`, sets as `Set`, …), so that what Kit wrote is
   * written back unchanged. `'json'`: plain JSON data through `ednToJson` (`:admin` →
   * `'admin'`), for moving sessions into a JSON store; what is written back then carries
   * strings where Kit had keywords.
   * @default 'edn'
   */
  values?: 'edn' | 'json';
}

/**
 * Ring's cookie store: a stateless {@link SessionStore} whose key is the sealed session. Its
 * sessions may hold what JSON cannot (`EdnKeyword`, `Set`, `bigint`, …, see `parseEdn`): they
 * are typed `SessionData`, so type such fields `unknown` in your session type and narrow them
 * (`value instanceof EdnKeyword`).
 */
export interface RingCookieStore extends SessionStore {
  /**
   * Always seals: a stateless store cannot tell a deleted session from a live one. Takes any
   * value `stringifyEdn` writes.
   */
  write(
    key: string | undefined,
    data: Record<string, unknown>,
    createdAt?: number,
  ): Promise<string>;
  /**
   * What this store makes of a cookie value, for debugging (`sessionkit open`): the session
   * and whether a request would read it, or why it does not open. Never throws.
   */
  inspect(value: string): RingInspection;
}

/**
 * {@link RingCookieStore.inspect}'s answer. Times are epoch seconds; a value Kit sealed has
 * none (`bare`), and reads as a session that starts now. `data` is the EDN map as `parseEdn`
 * gives it. Reasons: `too-long`, `not-a-session` (authentic, but not an EDN map), and those of
 * `RingFailure`.
 */
export type RingInspection =
  | {
      readonly opened: true;
      readonly bare: boolean;
      readonly createdAt: number;
      readonly activeAt: number;
      readonly idleDeadline: number;
      readonly absoluteDeadline: number;
      readonly data: Record<string, unknown>;
      readonly state: 'valid' | 'idle-expired' | 'absolute-expired' | 'from-the-future';
    }
  | { readonly opened: false; readonly reason: RingFailure | 'too-long' | 'not-a-session' };

/** The map keys where the store keeps its times, in epoch seconds. Kit ignores them. */
export const ringTimeKeys = Object.freeze({
  created: 'sessionkit/created',
  active: 'sessionkit/active',
});

/**
 * The longest value written, as it travels in the cookie (percent-encoded): a browser keeps
 * 4096 bytes of `name=value`, and this leaves 95 for the name and the `=` (RFC 6265 §6.1).
 */
export const ringMaxValueLength = 4000;

const optionNames = [
  'key',
  'values',
  'idleTimeoutSeconds',
  'absoluteTimeoutSeconds',
  'touchAfterSeconds',
  'now',
];

/** Issued-at times may run this far ahead of our clock (another server's). */
const clockSkewSeconds = 60;

/**
 * A session store that speaks Ring's cookie-store format exactly, so that sessionkit and a Kit
 * application read and write the same session cookie: AES-128-CBC and HMAC-SHA256 under one
 * 16-byte key, `base64(iv ‖ ciphertext)--base64(mac)`, an EDN payload. Its keys are that
 * seal as it is (standard base64, `+ / =` included): `wrapSession` percent-encodes them for
 * the cookie exactly as Ring's wrap-cookies does (`%2B`, `%2F`, `%3D`) and decodes what Ring
 * wrote.
 *
 * It reads what Ring 1.15 reads, including its harmless leniencies (a missing `=` in the data
 * part, a trailing `--junk`), and where Ring fails with a 500 (a valid MAC over bad padding or
 * unreadable EDN, a sealed vector) this store reads no session. Ring's format has no times:
 * the idle and absolute timeouts are kept in the EDN map under `:sessionkit/created` and
 * `:sessionkit/active`, which Kit carries along untouched. A value Kit sealed without them is
 * accepted as a session that starts now, and re-sealed with them on the same response.
 *
 * Ring's format is weaker than sessionkit's own (a 128-bit key shared by AES and HMAC, no key
 * derivation, no rotation, no binding to the cookie name): use it to share sessions with a
 * running Kit application, or read it through `migratingStore` to move away from it.
 *
 * @example
 * import { ringCookieStore } from 'sessionkit/ring';
 * const store = ringCookieStore({ key: process.env.COOKIE_SECRET! }); // Kit's 16-byte secret
 * const app = wrapSession({ store, cookieName: 'myapp' })(handler);
 */
export function ringCookieStore(options: RingCookieStoreOptions): RingCookieStore {
  return new SealedRingStore(options);
}

/** A session as the seal holds it: the EDN map and the times. */
interface Opened {
  map: Record<string, unknown>;
  createdAt: number;
  activeAt: number;
  /** Sealed by Kit, without the times. */
  bare: boolean;
}

class SealedRingStore implements RingCookieStore {
  readonly cookieName = undefined;
  readonly #key: Buffer;
  readonly #timeouts: ResolvedTimeouts;
  readonly #json: boolean;

  constructor(options: RingCookieStoreOptions) {
    // Unknown names are refused without printing their values: one may be the key (K-07).
    checkOptions('ringCookieStore', options, optionNames);
    this.#key = ringKey(options.key, 'ringCookieStore');
    const values = options.values ?? 'edn';
    if (values !== 'edn' && values !== 'json') {
      throw invalidOption('ringCookieStore', 'values', values, "'edn' or 'json'");
    }
    this.#json = values === 'json';
    this.#timeouts = resolveTimeouts('ringCookieStore', options);
    Object.freeze(this);
  }

  read(key: string): Promise<StoredSession | undefined> {
    const opened = this.#open(key);
    if (typeof opened === 'string') return Promise.resolve(undefined);
    const now = this.#seconds();
    const { map, createdAt, activeAt, bare } = opened;
    if (this.#lapse(opened, now) !== undefined) return Promise.resolve(undefined);
    const { touchAfterSeconds } = this.#timeouts;
    return Promise.resolve({
      data: (this.#json ? ednToJson(map) : map) as SessionData,
      createdAt,
      stale: bare || now - activeAt >= touchAfterSeconds,
    });
  }

  write(
    _key: string | undefined,
    data: Record<string, unknown>,
    createdAt?: number,
  ): Promise<string> {
    return settle(() => {
      const now = this.#seconds();
      return this.#seal(data, createdAt ?? now, now);
    });
  }

  touch(key: string): Promise<string | undefined> {
    // Re-seals what the seal holds, never what a handler may have changed in place.
    return settle(() => {
      const opened = this.#open(key);
      if (typeof opened === 'string') return undefined;
      const now = this.#seconds();
      if (this.#lapse(opened, now) !== undefined) return undefined;
      return this.#seal(opened.map, opened.createdAt, now);
    });
  }

  /** Nothing to delete on the server: the middleware expires the cookie. */
  delete(): Promise<void> {
    return Promise.resolve();
  }

  inspect(value: string): RingInspection {
    const opened = this.#open(value);
    if (typeof opened === 'string') return { opened: false, reason: opened };
    const { map, createdAt, activeAt, bare } = opened;
    const { idleTimeoutSeconds, absoluteTimeoutSeconds } = this.#timeouts;
    return {
      opened: true,
      bare,
      createdAt,
      activeAt,
      idleDeadline: activeAt + idleTimeoutSeconds,
      absoluteDeadline: createdAt + absoluteTimeoutSeconds,
      data: map,
      state: this.#lapse(opened, this.#seconds()) ?? 'valid',
    };
  }

  #seconds(): number {
    return Math.floor(this.#timeouts.now() / 1000);
  }

  /** Why a session with these times does not read at `now`, or undefined when it does. */
  #lapse(
    { createdAt, activeAt }: Opened,
    now: number,
  ): 'idle-expired' | 'absolute-expired' | 'from-the-future' | undefined {
    if (createdAt > now + clockSkewSeconds || activeAt > now + clockSkewSeconds) {
      return 'from-the-future';
    }
    // OWASP SM "Idle Timeout" and "Absolute Timeout", enforced server-side (C-09, C-10).
    if (now - activeAt >= this.#timeouts.idleTimeoutSeconds) return 'idle-expired';
    if (now - createdAt >= this.#timeouts.absoluteTimeoutSeconds) return 'absolute-expired';
    return undefined;
  }

  /** The authentic map and times of a cookie value, or why there are none. */
  #open(key: string): Opened | RingFailure | 'too-long' | 'not-a-session' {
    if (typeof key !== 'string') return 'malformed';
    if (key.length > ringMaxValueLength) return 'too-long';
    const opened = openRing(this.#key, key);
    if (!opened.ok) return opened.reason;
    let map: unknown;
    try {
      map = parseEdn(opened.plaintext);
    } catch {
      return 'not-a-session'; // unreadable EDN or an unknown tag: Ring's 500, no session here
    }
    // nil is no session in Ring; any other non-map breaks Ring's flash: no session either.
    if (
      typeof map !== 'object' ||
      map === null ||
      Object.getPrototypeOf(map) !== Object.prototype
    ) {
      return 'not-a-session';
    }
    const record = map as Record<string, unknown>;
    const { [ringTimeKeys.created]: created, [ringTimeKeys.active]: active, ...rest } = record;
    if (created === undefined && active === undefined) {
      const now = this.#seconds();
      return { map: record, createdAt: now, activeAt: now, bare: true };
    }
    if (!Number.isSafeInteger(created) || !Number.isSafeInteger(active)) return 'not-a-session';
    return { map: rest, createdAt: created as number, activeAt: active as number, bare: false };
  }

  #seal(data: Record<string, unknown>, createdAt: number, now: number): string {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new SessionkitError(
        'unserializable_session',
        `session data is ${Array.isArray(data) ? 'an array' : data === null ? 'null' : typeof data}, expected a plain object`,
      );
    }
    if (!Number.isSafeInteger(createdAt)) {
      throw invalidOption(
        'ringCookieStore',
        'createdAt',
        createdAt,
        'a whole number of epoch seconds',
      );
    }
    let own = data;
    if (Object.hasOwn(data, ringTimeKeys.created) || Object.hasOwn(data, ringTimeKeys.active)) {
      const { [ringTimeKeys.created]: _c, [ringTimeKeys.active]: _a, ...rest } = data;
      own = rest;
    }
    // Ring refuses NaN (its round-trip check fails), and so does this store.
    const edn = stringifyEdn(own, { nan: false });
    const times = `:${ringTimeKeys.created} ${createdAt}, :${ringTimeKeys.active} ${now}}`;
    const text = edn === '{}' ? `{${times}` : `${edn.slice(0, -1)}, ${times}`;
    const sealed = sealRing(this.#key, text);
    const wire = encodeSessionKey(sealed); // what the cookie will carry
    if (wire.length > ringMaxValueLength) {
      // Z-01: sizes only, never contents.
      throw new SessionkitError(
        'cookie_too_large',
        `ringCookieStore: the session cookie value would be ${wire.length} bytes, over the ${ringMaxValueLength} that fit a 4096-byte cookie; store less in the session (it holds ${text.length} characters of EDN)`,
      );
    }
    return sealed;
  }
}

/** Runs `work` now, synchronously, and gives its result or its throw as a promise. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()));
}
