import type { SessionData } from '../core/types.ts';

/** A session as a store read it back. */
export interface StoredSession {
  /** The application's data. */
  data: SessionData;
  /** When the session was created, in epoch seconds; the absolute timeout counts from here. */
  createdAt: number;
  /**
   * True when this response should refresh the session even though the handler did not
   * write it: the sliding idle window is due to move (see {@link SessionStore.touch}), or the
   * value was sealed with a previous secret and must be re-sealed with the current one.
   */
  stale: boolean;
  /**
   * Whom the session belongs to, when the application attached a subject (such as the user
   * id) with `sessionSubject` and the store keeps subjects (see {@link SessionStore.subjects}).
   * Absent otherwise. Kept apart from the data.
   */
  subject?: string;
  /**
   * The data exactly as the store holds it (its JSON), from a store with
   * {@link SessionStore.update}: two reads with the same `json` read the same data.
   * `wrapSession` compares it to tell whether another request wrote the session meanwhile.
   */
  json?: string;
}

/**
 * The new data for a session, computed from what the store holds now. Called by
 * {@link SessionStore.update}, perhaps more than once: it must not have side effects.
 */
export type SessionChange = (current: StoredSession) => SessionData;

/**
 * Ring's `SessionStore` protocol, asynchronous, plus `touch` for sliding expiry.
 *
 * The key is the string carried in the session cookie. Keys reach clients, so a store
 * never trusts one: a key it did not issue, a malformed key, a tampered or expired value
 * all read as `undefined`. Only an infrastructure failure (the store cannot answer) rejects;
 * "not found" is never an error and an error is never "not found" (security cases ).
 */
export interface SessionStore {
  /**
   * The cookie name the store binds its values to, when it has one (the cookie store seals
   * the name as associated data). `wrapSession` uses it as its cookie name and refuses a
   * different one.
   */
  readonly cookieName?: string | undefined;

  /**
   * True when the store keeps a subject with each session (the cookie store): `write`
   * stores the one it is given and `read` gives it back. `wrapSession` refuses a response's
   * `sessionSubject` for a store without it, rather than drop it.
   */
  readonly subjects?: boolean | undefined;

  /**
   * The session stored under `key`, or `undefined` when there is none: never issued,
   * malformed, tampered with, past its idle or absolute timeout, or deleted.
   */
  read(key: string): Promise<StoredSession | undefined>;

  /**
   * Stores `data` and resolves to the key to put in the cookie. `key` undefined means a new
   * session: the store creates a fresh unguessable key. `createdAt` (epoch seconds) is the
   * session's creation time; undefined means now. Rejects with `unserializable_session`
   * for data JSON cannot represent, and `cookie_too_large` when the cookie store's value
   * would not fit in a cookie.
   *
   * A server-side store given a `key` it does not hold (deleted, expired, or never issued)
   * stores nothing and resolves to `undefined`: a request that started before a logout or a
   * regeneration must not bring the old session back (security case Q-02). A stateless
   * store cannot know, and writes (unless it keeps a revocation list, which knows).
   *
   * `subject`, for a store that keeps subjects: a string attaches it, `null` removes it,
   * undefined keeps the one `key` had (none for a new session). Other stores ignore it.
   */
  write(
    key: string | undefined,
    data: SessionData,
    createdAt?: number,
    subject?: string | null,
  ): Promise<string | undefined>;

  /**
   * Moves the idle deadline of the session under `key` to now without changing its data, and
   * resolves to the key to put in the cookie (the cookie store re-seals, so its key changes),
   * or `undefined` when the session is gone. Never writes data and never recreates a session
   * (security case Q-03).
   */
  touch(key: string): Promise<string | undefined>;

  /**
   * Optional, for a store whose work is synchronous (the cookie store): {@link read} answered
   * at once. It returns what `read` resolves to and throws what `read` rejects with.
   * `wrapSession` calls it instead of `read` when present, and so serves a request without a
   * promise or a microtask turn. `readSync`, `writeSync` and `touchSync` are each optional.
   * A store that wraps another and changes `read` (say, to log) must change `readSync` the
   * same way, or leave it out: `wrapSession` would otherwise call the inner one.
   */
  readSync?(key: string): StoredSession | undefined;

  /** Optional: {@link write} answered at once, as {@link readSync} is for `read`. */
  writeSync?(
    key: string | undefined,
    data: SessionData,
    createdAt?: number,
    subject?: string | null,
  ): string | undefined;

  /** Optional: {@link touch} answered at once, as {@link readSync} is for `read`. */
  touchSync?(key: string): string | undefined;

  /**
   * Optional: an atomic read-modify-write, for server-side stores. Writes `change(current)`
   * under `key`, where `current` is the session the store holds at the moment of the write:
   * no other write lands between the value `change` was given and the write of its result.
   * When another write lands first, the store reads again and calls `change` again. Resolves
   * to the key and the JSON written, or `undefined` when the session is gone: nothing is
   * written (though `change` may have run, against `known`). The session's creation time and subject are kept.
   *
   * `known` is the session as the caller last read it (with its `json`): a store may first
   * try the write against it without reading, and read only when the session changed since.
   *
   * Rejects like {@link write} for data it cannot store, and with a store failure when other
   * writes keep landing first for longer than the store bounds.
   */
  update?(
    key: string,
    change: SessionChange,
    known?: StoredSession,
  ): Promise<{ key: string; json: string } | undefined>;

  /**
   * Deletes the session under `key`; a missing key is not an error. A cookie store with a
   * revocation list revokes it instead, so that no copy of the cookie opens again (L-07).
   */
  delete(key: string): Promise<void>;
}

/** Timeouts every store enforces on read. Seconds. */
export interface TimeoutOptions {
  /**
   * A session unused for this long is gone. Kit's 24 hours.
   * @default 86400
   */
  idleTimeoutSeconds?: number | undefined;
  /**
   * A session older than this is gone, however active (OWASP SM "Absolute Timeout").
   * @default 604800 (7 days)
   */
  absoluteTimeoutSeconds?: number | undefined;
  /**
   * The clock, in milliseconds since the epoch. For tests.
   * @default Date.now
   */
  now?: (() => number) | undefined;
}

/**
 * Runs `work` now, synchronously, and gives its result or its throw as a promise: a store's
 * `read` from its `readSync`, and so on.
 */
export function settle<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()));
}
