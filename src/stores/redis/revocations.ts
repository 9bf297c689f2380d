// A revocation list shared through Redis: each process keeps the whole list in memory (a
// request checks it with a Map lookup, no round trip), Redis keeps it for every process
// (two sorted sets), and a pub/sub channel brings each revocation to every process as it
// happens. When the subscription drops, the list is out of sync until it is back and the
// list has been read again from Redis (docs/decisions/0020-revocation.md).
import { SessionkitError, invalidOption } from '../../core/errors.ts';
import { consoleLogger } from '../../core/logger.ts';
import { checkOptions, integerOption, loggerOption } from '../../core/options.ts';
import type { Logger } from '../../core/types.ts';
import {
  RevocationSet,
  resolveRevocationOptions,
  subjectProblem,
} from '../../session/revocations.ts';
import { sessionIdPattern } from '../../session/session-id.ts';
import { commandSender } from './client.ts';
import { Guard } from './guard.ts';
import {
  addScript,
  redisRevocationsDefaults,
  revocationOptionNames,
} from './revocation-options.ts';
import type {
  RedisRevocations,
  RedisRevocationsOptions,
  RevocationsHealth,
} from './revocation-options.ts';
import { subscribe } from './subscriber.ts';
import type { Subscription } from './subscriber.ts';

export { redisRevocationsDefaults } from './revocation-options.ts';
export type {
  RedisRevocations,
  RedisRevocationsOptions,
  RevocationsClient,
  RevocationsHealth,
} from './revocation-options.ts';

/** Entries read per command while the list is read again. */
const pageSize = 1000;
/** Entries written per command when Redis has lost some (a restart without persistence). */
const writeBackBatch = 500;
/** The longest pause between attempts to read the list again. */
const maxRetryMs = 5000;

/**
 * A revocation list shared by every server on one Redis, for `cookieStore({ revocations })`:
 * a logout on one server makes the cookie it ended no session on all of them, and
 * `revokeSubject(userId)` logs a user out everywhere.
 *
 * Each process holds the list in memory, so checking a request costs no round trip. Redis
 * holds it too (`<prefix>ids`, `<prefix>subjects`: sorted sets, pruned as entries expire),
 * and each revocation is published on `<prefix>events` to every process, which subscribes
 * on a connection of its own (`client.duplicate()`). When that subscription drops, the list
 * is out of sync: `failMode` decides what requests get, and once the subscription is back
 * the list is read again from Redis, a page at a time, each page within `commandTimeoutMs`,
 * retried until it succeeds. A Redis that lost the list (restarted without persistence) gets
 * it back from the processes that still hold it. Redis 6.2 or later (`ZADD … GT`).
 *
 * @example
 * import { createClient } from 'redis';
 * import { redisRevocations } from 'sessionkit/redis';
 *
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
 * client.on('error', (error) => console.error('redis', error));
 * await client.connect();
 * const revocations = redisRevocations({ client });
 * await revocations.ready();
 * const store = cookieStore({ secrets: [process.env.COOKIE_SECRET!], revocations });
 */
export function redisRevocations(options: RedisRevocationsOptions): RedisRevocations {
  return new SharedRevocations(options);
}

class SharedRevocations implements RedisRevocations {
  readonly absoluteTimeoutSeconds: number;
  readonly #set: RevocationSet;
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #guard: Guard;
  readonly #logger: Pick<Logger, 'warn' | 'error'>;
  readonly #failOpen: boolean;
  readonly #keys: { ids: string; subjects: string; channel: string };
  #subscription: Subscription;
  readonly #subscribe: () => Subscription;
  readonly #timeoutMs: number;
  readonly #pinger: ReturnType<typeof setInterval>;
  #pinging = false;
  readonly #ready: Promise<void>;
  #markReady: () => void = () => undefined;
  /** Subscribed and confirmed; not necessarily read again yet. */
  #subscribed = false;
  #synced = false;
  #syncing = false;
  /** Another read was asked for while one ran. */
  #again = false;
  #closed = false;
  #retryMs = 100;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #failingSince: number | undefined = Date.now();
  #lastError: string | undefined;
  #reportedDown = false;
  #wasEverReady = false;

  constructor(options: RedisRevocationsOptions) {
    checkOptions('redisRevocations', options, revocationOptionNames);
    if (options === undefined) {
      throw invalidOption(
        'redisRevocations',
        'client',
        undefined,
        'a node-redis or ioredis client',
      );
    }
    const resolved = resolveRevocationOptions('redisRevocations', options);
    this.absoluteTimeoutSeconds = resolved.absoluteTimeoutSeconds;
    this.#now = resolved.now;
    this.#maxEntries = resolved.maxEntries;
    this.#logger = loggerOption('redisRevocations', options.logger, consoleLogger);
    this.#set = new RevocationSet({ ...resolved, logger: this.#logger });
    const prefix = options.prefix ?? redisRevocationsDefaults.prefix;
    if (typeof prefix !== 'string' || !/^[\x21-\x7e]{1,100}$/.test(prefix)) {
      throw invalidOption(
        'redisRevocations',
        'prefix',
        prefix,
        '1 to 100 printable ASCII characters without spaces, such as "sessionkit:revocations:"',
      );
    }
    this.#keys = { ids: `${prefix}ids`, subjects: `${prefix}subjects`, channel: `${prefix}events` };
    const failMode = options.failMode ?? redisRevocationsDefaults.failMode;
    if (failMode !== 'closed' && failMode !== 'open') {
      throw invalidOption('redisRevocations', 'failMode', failMode, "'closed' or 'open'");
    }
    this.#failOpen = failMode === 'open';
    const timeoutMs = integerOption(
      'redisRevocations',
      'commandTimeoutMs',
      options.commandTimeoutMs,
      redisRevocationsDefaults.commandTimeoutMs,
      1,
      60_000,
    );
    const { kind, send } = commandSender(options.client, 'redisRevocations');
    if (kind !== 'node-redis' && kind !== 'ioredis') {
      throw new SessionkitError(
        'invalid_option',
        `redisRevocations: option client is invalid: got ${kind === 'ioredis Cluster' ? 'an' : 'a'} ${kind} client, expected a client of one Redis (createClient, new Redis): the list's two keys and its channel live on one server; use a Redis beside the cluster, with replicas and persistence`,
      );
    }
    if (typeof (options.client as { duplicate?: unknown }).duplicate !== 'function') {
      throw invalidOption(
        'redisRevocations',
        'client',
        options.client,
        'a client with duplicate(), to subscribe on a connection of its own',
      );
    }
    const pingIntervalMs = integerOption(
      'redisRevocations',
      'pingIntervalMs',
      options.pingIntervalMs,
      redisRevocationsDefaults.pingIntervalMs,
      10,
      3_600_000,
    );
    this.#timeoutMs = timeoutMs;
    this.#guard = new Guard(send, kind, timeoutMs, this.#logger, 'redisRevocations');
    this.#ready = new Promise((resolve) => (this.#markReady = resolve));
    const client = options.client;
    this.#subscribe = () =>
      subscribe(client, kind, this.#keys.channel, {
        message: (text) => this.#receive(text),
        up: () => {
          this.#subscribed = true;
          void this.#resync();
        },
        down: (error) => this.#down(error),
      });
    this.#subscription = this.#subscribe();
    this.#pinger = setInterval(() => void this.#ping(), pingIntervalMs);
    this.#pinger.unref();
  }

  /**
   * Pings the subscribing connection: no answer within the command timeout means it is lost
   * without having said so (a partition, a Redis that stopped answering): out of sync, and a
   * new connection.
   */
  async #ping(): Promise<void> {
    if (!this.#subscribed || this.#pinging || this.#closed) return;
    this.#pinging = true;
    const subscription = this.#subscription;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        subscription.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer to PING within ${this.#timeoutMs} ms`)),
            this.#timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      if (this.#closed || subscription !== this.#subscription) return;
      this.#down(error);
      subscription.close();
      this.#subscription = this.#subscribe();
    } finally {
      clearTimeout(timer);
      this.#pinging = false;
    }
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  health(): RevocationsHealth {
    return {
      ok: this.#synced,
      failingSince: this.#synced ? undefined : this.#failingSince,
      lastError: this.#lastError,
    };
  }

  isRevoked(id: string, subject: string | undefined): boolean {
    if (!this.#synced && !this.#failOpen) {
      const error = new Error(
        `redisRevocations: the revocation list is out of sync with Redis since ${new Date(this.#failingSince ?? Date.now()).toISOString()} (failMode 'closed'), so no session can be trusted; it is read again as soon as Redis answers`,
      );
      error.name = 'RevocationsUnavailable';
      throw error;
    }
    return this.#set.isRevoked(id, subject);
  }

  async revoke(id: string, untilSeconds: number): Promise<void> {
    if (typeof id !== 'string' || !sessionIdPattern.test(id)) {
      throw invalidOption('redisRevocations.revoke', 'id', id, 'a session id (30 characters)');
    }
    if (!Number.isSafeInteger(untilSeconds)) {
      throw invalidOption('redisRevocations.revoke', 'untilSeconds', untilSeconds, 'epoch seconds');
    }
    // This process knows at once, even if Redis cannot be told (the request then gets 503).
    this.#set.addId(id, untilSeconds);
    const now = Math.floor(this.#now() / 1000);
    await this.#add(this.#keys.ids, untilSeconds, id, now, `i ${untilSeconds} ${id}`);
  }

  async revokeSubject(subject: string): Promise<void> {
    const problem = subjectProblem(subject);
    if (problem !== undefined) {
      throw invalidOption('redisRevocations.revokeSubject', 'subject', subject, problem);
    }
    const ms = Math.floor(this.#now());
    this.#set.addSubject(subject, ms);
    const keepFrom = ms - this.absoluteTimeoutSeconds * 1000;
    await this.#add(this.#keys.subjects, ms, subject, keepFrom, `s ${ms} ${subject}`);
  }

  close(): void {
    this.#closed = true;
    this.#synced = false;
    this.#subscribed = false;
    clearTimeout(this.#retry);
    clearInterval(this.#pinger);
    this.#subscription.close();
  }

  #add(key: string, score: number, member: string, keepFrom: number, message: string) {
    return this.#guard.run(key, [
      'EVAL',
      addScript,
      '1',
      key,
      String(score),
      member,
      String(keepFrom),
      String(this.#maxEntries),
      this.#keys.channel,
      message,
    ]);
  }

  /** A message from another process (or this one): `i <until> <id>`, `s <ms> <subject>`, `r`. */
  #receive(text: string): void {
    if (text === 'r') {
      void this.#resync(); // another process wrote back entries Redis had lost
      return;
    }
    const match = /^([is]) (\d{1,16}) (.+)$/s.exec(text);
    if (match === null) return;
    const [, kind, score, member] = match as unknown as [string, string, string, string];
    if (kind === 'i' && sessionIdPattern.test(member)) this.#set.addId(member, Number(score));
    else if (kind === 's' && subjectProblem(member) === undefined) {
      this.#set.addSubject(member, Number(score));
    }
  }

  #down(error?: unknown): void {
    if (this.#closed) return;
    this.#subscribed = false;
    if (error !== undefined) {
      this.#lastError = messageOf(error);
    }
    if (this.#synced) {
      this.#synced = false;
      this.#failingSince = Date.now();
    }
    if (this.#reportedDown) return;
    this.#reportedDown = true;
    this.#logger.error(
      `sessionkit: redisRevocations: the subscription to Redis is down; revocations made on other servers are not seen until it is back and the list is read again. Meanwhile requests with a session ${this.#failOpen ? "are served with the list as it was (failMode 'open')" : "get 503 (failMode 'closed')"}`,
      error,
    );
  }

  /** Reads the whole list from Redis again (bounded: a page per command, each timed). */
  async #resync(): Promise<void> {
    if (this.#syncing) {
      this.#again = true;
      return;
    }
    this.#syncing = true;
    try {
      do {
        this.#again = false;
        await this.#load();
      } while (this.#again && this.#subscribed && !this.#closed);
      if (this.#subscribed && !this.#closed) this.#up();
    } catch (error) {
      this.#lastError = messageOf(error);
      if (this.#subscribed && !this.#closed) {
        this.#retry = setTimeout(() => void this.#resync(), this.#retryMs);
        this.#retry.unref();
        this.#retryMs = Math.min(this.#retryMs * 2, maxRetryMs);
      }
    } finally {
      this.#syncing = false;
    }
  }

  #up(): void {
    const was = this.#failingSince;
    this.#synced = true;
    this.#failingSince = undefined;
    this.#retryMs = 100;
    if (this.#reportedDown) {
      this.#reportedDown = false;
      const seconds = ((Date.now() - (was ?? Date.now())) / 1000).toFixed(1);
      this.#logger.warn(
        `sessionkit: redisRevocations: in sync with Redis again after ${seconds} s (${this.#set.ids.size} revoked ids, ${this.#set.subjects.size} subjects)`,
      );
    }
    if (!this.#wasEverReady) {
      this.#wasEverReady = true;
      this.#markReady();
    }
  }

  /** Merges Redis's list into ours; gives Redis back what it lost. */
  async #load(): Promise<void> {
    const ms = this.#now();
    const now = ms / 1000;
    const keepSubjectsFrom = ms - this.absoluteTimeoutSeconds * 1000;
    const ids = await this.#scan(this.#keys.ids, (member, score) => {
      if (score > now && sessionIdPattern.test(member)) this.#set.addId(member, score);
      return score > now;
    });
    const subjects = await this.#scan(this.#keys.subjects, (member, score) => {
      const live = score >= keepSubjectsFrom && subjectProblem(member) === undefined;
      if (live) this.#set.addSubject(member, score);
      return live;
    });
    // Ours now holds Redis's; if it holds more, Redis lost entries (a restart without
    // persistence, a flush): write them back, and tell the others to read again.
    const ourIds = [...this.#set.ids].filter(([, until]) => until > now);
    const ourSubjects = [...this.#set.subjects].filter(([, at]) => at >= keepSubjectsFrom);
    if (ourIds.length <= ids && ourSubjects.length <= subjects) return;
    await this.#writeBack(this.#keys.ids, ourIds);
    await this.#writeBack(this.#keys.subjects, ourSubjects);
    await this.#guard.run(this.#keys.channel, ['PUBLISH', this.#keys.channel, 'r']);
    this.#logger.warn(
      `sessionkit: redisRevocations: Redis had lost revocations (restarted without persistence?); wrote back ${ourIds.length - ids} ids and ${ourSubjects.length - subjects} subjects this process held`,
    );
  }

  /** Calls `each` on every member of the sorted set; returns how many it said are live. */
  async #scan(key: string, each: (member: string, score: number) => boolean): Promise<number> {
    let cursor = '0';
    let live = 0;
    do {
      const reply = await this.#guard.run(key, ['ZSCAN', key, cursor, 'COUNT', String(pageSize)]);
      const [next, flat] = reply as [unknown, unknown[]];
      cursor = String(next);
      for (let i = 0; i + 1 < flat.length; i += 2) {
        if (each(String(flat[i]), Number(flat[i + 1]))) live++;
      }
    } while (cursor !== '0');
    return live;
  }

  async #writeBack(key: string, entries: readonly (readonly [string, number])[]): Promise<void> {
    for (let i = 0; i < entries.length; i += writeBackBatch) {
      const args = ['ZADD', key, 'GT'];
      for (const [member, score] of entries.slice(i, i + writeBackBatch)) {
        args.push(String(score), member);
      }
      await this.#guard.run(key, args);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown';
}
