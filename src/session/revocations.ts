// Revocation: what makes a logout final for sessions that live in the cookie. The list holds
// revoked session ids (until the session's absolute expiry) and, per subject, a time before
// which every session of that subject is revoked. Each process keeps it in memory, so the
// check on a request is a Map lookup; a shared list (redisRevocations) adds pub/sub.
import { invalidOption } from '../core/errors.ts';
import { consoleLogger } from '../core/logger.ts';
import { checkOptions, integerOption, loggerOption } from '../core/options.ts';
import type { Logger } from '../core/types.ts';
import { sessionIdTime } from './session-id.ts';
import { timeoutDefaults } from './timeouts.ts';

/**
 * A revocation list, as `cookieStore({ revocations })` uses it: `memoryRevocations()` for one
 * process, `redisRevocations({ client })` (from `sessionkit/redis`) for servers that share a
 * Redis. Checking is synchronous and in memory: no round trip on a request.
 */
export interface Revocations {
  /**
   * How long a subject's revocation is kept, in seconds: the longest a session may live. A
   * cookie store refuses a list that keeps them for less than its own absolute timeout.
   */
  readonly absoluteTimeoutSeconds: number;
  /**
   * True when the session `id` (whose subject is `subject`, if any) is revoked: its id was,
   * or its subject was after the id was issued. Throws while the list cannot be trusted and
   * is set to fail closed (the cookie store's read then rejects: a 503).
   */
  isRevoked(id: string, subject: string | undefined): boolean;
  /**
   * Revokes one session until `untilSeconds` (epoch seconds: its absolute expiry, after which
   * it would not open anyway). The cookie store calls it on logout and on regeneration.
   */
  revoke(id: string, untilSeconds: number): Promise<void>;
  /**
   * Revokes every session of `subject` issued until now ("log out everywhere"): each is no
   * session on its next request, on every server that shares the list. A session issued
   * afterwards (a new login) is not affected.
   */
  revokeSubject(subject: string): Promise<void>;
}

/** The longest subject, in characters: it travels in the sealed cookie and in list messages. */
export const maxSubjectLength = 1000;

/**
 * Why `subject` cannot be a session's subject, or undefined when it can: a non-empty string of
 * at most 1000 characters without control characters (it is printed by `sessionkit open`).
 */
export function subjectProblem(subject: unknown): string | undefined {
  if (typeof subject !== 'string' || subject === '') return 'a non-empty string';
  if (subject.length > maxSubjectLength) return `at most ${maxSubjectLength} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(subject)) return 'a string without control characters';
  return undefined;
}

/** Options of {@link memoryRevocations} (and the local copy of `redisRevocations`). */
export interface MemoryRevocationsOptions {
  /**
   * The longest a session lives, in seconds: a subject's revocation is kept this long. At
   * least the cookie store's `absoluteTimeoutSeconds`.
   * @default 604800 (7 days)
   */
  absoluteTimeoutSeconds?: number | undefined;
  /**
   * At most this many revoked ids (and, separately, subjects) are kept; past it the entries
   * that expire soonest are forgotten first, with one warning (security case Z-07). Each
   * takes about 100 bytes.
   * @default 1000000
   */
  maxEntries?: number | undefined;
  /**
   * The clock, in milliseconds since the epoch. For tests.
   * @default Date.now
   */
  now?: (() => number) | undefined;
  /**
   * Where the warning goes when the list is full.
   * @default console
   */
  logger?: Pick<Logger, 'warn'> | undefined;
}

/** The defaults of {@link memoryRevocations}, kept as data. */
export const revocationDefaults = Object.freeze({
  absoluteTimeoutSeconds: timeoutDefaults.absoluteTimeoutSeconds,
  maxEntries: 1_000_000,
});

/** The options every revocation list takes, resolved. */
export interface ResolvedRevocationOptions {
  readonly absoluteTimeoutSeconds: number;
  readonly maxEntries: number;
  readonly now: () => number;
  readonly logger: Pick<Logger, 'warn'>;
}

/** Checks the options {@link MemoryRevocationsOptions} names, for `what`. */
export function resolveRevocationOptions(
  what: string,
  options: MemoryRevocationsOptions,
): ResolvedRevocationOptions {
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') {
    throw invalidOption(what, 'now', now, 'a function returning milliseconds');
  }
  return {
    absoluteTimeoutSeconds: integerOption(
      what,
      'absoluteTimeoutSeconds',
      options.absoluteTimeoutSeconds,
      revocationDefaults.absoluteTimeoutSeconds,
      1,
    ),
    maxEntries: integerOption(
      what,
      'maxEntries',
      options.maxEntries,
      revocationDefaults.maxEntries,
      1,
    ),
    now,
    logger: loggerOption(what, options.logger, consoleLogger, ['warn']),
  };
}

const hour = 3600;

/**
 * Entries of one kind that expire: a Map from name to value, plus buckets by the hour of
 * expiry, so that pruning and eviction touch whole hours instead of scanning every entry.
 */
class Expiring {
  readonly values = new Map<string, number>();
  readonly #buckets = new Map<number, string[]>();
  readonly #expiry: (value: number) => number;

  constructor(expiry: (value: number) => number) {
    this.#expiry = expiry;
  }

  /** Records `value` for `name` unless a later one is there; true when it changed. */
  add(name: string, value: number): boolean {
    const old = this.values.get(name);
    if (old !== undefined && old >= value) return false;
    this.values.set(name, value);
    const bucket = Math.floor(this.#expiry(value) / hour);
    const names = this.#buckets.get(bucket);
    if (names === undefined) this.#buckets.set(bucket, [name]);
    else names.push(name);
    return true;
  }

  /** Forgets what expired by `nowSeconds`. */
  prune(nowSeconds: number): void {
    for (const [bucket, names] of this.#buckets) {
      if ((bucket + 1) * hour > nowSeconds) continue;
      this.#buckets.delete(bucket);
      for (const name of names) this.#forget(name, bucket);
    }
  }

  /** Forgets the entries that expire soonest until at most `max` remain; how many went. */
  shrink(max: number): number {
    let evicted = 0;
    while (this.values.size > max && this.#buckets.size > 0) {
      const bucket = Math.min(...this.#buckets.keys());
      const names = this.#buckets.get(bucket)!;
      const name = names.pop();
      if (names.length === 0) this.#buckets.delete(bucket);
      if (name !== undefined && this.#forget(name, bucket)) evicted++;
    }
    return evicted;
  }

  /** Deletes `name` if its current value belongs to `bucket` (it may have been raised since). */
  #forget(name: string, bucket: number): boolean {
    const value = this.values.get(name);
    if (value === undefined || Math.floor(this.#expiry(value) / hour) !== bucket) return false;
    this.values.delete(name);
    return true;
  }
}

/**
 * The in-memory list every revocation list keeps: revoked ids with their expiry (epoch
 * seconds) and subjects with their "not before" time (epoch milliseconds). Bounded; expired
 * entries are pruned hourly.
 */
export class RevocationSet {
  readonly #ids: Expiring;
  readonly #subjects: Expiring;
  readonly #options: ResolvedRevocationOptions;
  #nextPrune = 0;
  #warnedFull = false;

  constructor(options: ResolvedRevocationOptions) {
    this.#options = options;
    this.#ids = new Expiring((until) => until);
    this.#subjects = new Expiring((ms) => ms / 1000 + options.absoluteTimeoutSeconds);
  }

  /** Revoked ids and their expiry, epoch seconds. */
  get ids(): ReadonlyMap<string, number> {
    return this.#ids.values;
  }

  /** Revoked subjects and the time before which their sessions are revoked, epoch ms. */
  get subjects(): ReadonlyMap<string, number> {
    return this.#subjects.values;
  }

  /** Revokes `id` until `untilSeconds`; true when that is news. */
  addId(id: string, untilSeconds: number): boolean {
    const added = this.#ids.add(id, untilSeconds);
    if (added) this.#maintain();
    return added;
  }

  /** Revokes the sessions of `subject` issued before `notBeforeMs`; true when that is news. */
  addSubject(subject: string, notBeforeMs: number): boolean {
    const added = this.#subjects.add(subject, notBeforeMs);
    if (added) this.#maintain();
    return added;
  }

  isRevoked(id: string, subject: string | undefined): boolean {
    if (this.#ids.values.has(id)) return true;
    if (subject === undefined) return false;
    const notBefore = this.#subjects.values.get(subject);
    return notBefore !== undefined && sessionIdTime(id) < notBefore;
  }

  #maintain(): void {
    const { now, maxEntries, logger } = this.#options;
    const seconds = now() / 1000;
    if (seconds >= this.#nextPrune) {
      this.#ids.prune(seconds);
      this.#subjects.prune(seconds);
      this.#nextPrune = (Math.floor(seconds / hour) + 1) * hour;
    }
    const evicted = this.#ids.shrink(maxEntries) + this.#subjects.shrink(maxEntries);
    if (evicted > 0 && !this.#warnedFull) {
      this.#warnedFull = true;
      logger.warn(
        `sessionkit: the revocation list is full (maxEntries ${maxEntries}); the revocations that expire soonest are forgotten first, so the sessions they ended open again until their own expiry. Raise maxEntries, shorten absoluteTimeoutSeconds, or limit logins and logouts per client`,
      );
    }
  }
}

const memoryOptionNames = ['absoluteTimeoutSeconds', 'maxEntries', 'now', 'logger'] as const;

/**
 * A revocation list in this process's memory, for `cookieStore({ revocations })` on a single
 * server: a logout (`session: null`) makes the cookie it ended, and every copy of it, no
 * session here; `revokeSubject(userId)` ends every session of a user. Lost on restart and not
 * shared: with several servers, use `redisRevocations` from `sessionkit/redis`.
 *
 * @example
 * const revocations = memoryRevocations();
 * const store = cookieStore({ secrets: [process.env.COOKIE_SECRET!], revocations });
 * // on "log out everywhere": await revocations.revokeSubject(request.sessionSubject!);
 */
export function memoryRevocations(options: MemoryRevocationsOptions = {}): Revocations {
  checkOptions('memoryRevocations', options, memoryOptionNames);
  const resolved = resolveRevocationOptions('memoryRevocations', options);
  const set = new RevocationSet(resolved);
  return Object.freeze({
    absoluteTimeoutSeconds: resolved.absoluteTimeoutSeconds,
    isRevoked: (id: string, subject: string | undefined) => set.isRevoked(id, subject),
    revoke(id: string, untilSeconds: number): Promise<void> {
      set.addId(id, untilSeconds);
      return Promise.resolve();
    },
    revokeSubject(subject: string): Promise<void> {
      const problem = subjectProblem(subject);
      if (problem !== undefined) {
        return Promise.reject(invalidOption('revokeSubject', 'subject', subject, problem));
      }
      set.addSubject(subject, resolved.now());
      return Promise.resolve();
    },
  });
}
