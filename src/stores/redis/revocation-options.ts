// redisRevocations' options, what it returns, its defaults, and its one script.
import type { Logger } from '../../core/types.ts';
import type { MemoryRevocationsOptions, Revocations } from '../../session/revocations.ts';
import type { IoredisClient, NodeRedisClient } from './client.ts';
import type { IoredisSubscriber, NodeRedisSubscriber } from './subscriber.ts';

/**
 * A client {@link redisRevocations} can use: a single node-redis v5 client (`createClient`)
 * or ioredis v5 `Redis`, connected, offline queue off, as for `redisStore`. Its `duplicate()`
 * gives the connection that subscribes.
 */
export type RevocationsClient =
  | (NodeRedisClient & { duplicate(): NodeRedisSubscriber })
  | (IoredisClient & { duplicate(override?: object): IoredisSubscriber });

/** Options of {@link redisRevocations}. */
export interface RedisRevocationsOptions extends MemoryRevocationsOptions {
  /** A connected client, as for `redisStore`; one Redis, not a cluster. */
  client: RevocationsClient;
  /**
   * The start of the list's keys (`<prefix>ids`, `<prefix>subjects`) and channel
   * (`<prefix>events`). Every server sharing the list uses the same.
   * @default 'sessionkit:revocations:'
   */
  prefix?: string | undefined;
  /**
   * What a request carrying a session gets while the list is out of sync with Redis (the
   * subscription is down, or being re-read): `'closed'` answers 503 (the cookie store's read
   * fails), `'open'` serves with the list as it was, so a revocation made elsewhere meanwhile
   * takes effect only once the list is back in sync (security case R-11).
   * @default 'closed'
   */
  failMode?: 'closed' | 'open' | undefined;
  /**
   * The longest wait for one Redis command (a revocation, a page of the list, a ping).
   * @default 2000
   */
  commandTimeoutMs?: number | undefined;
  /**
   * How often the subscribing connection is pinged. A ping unanswered within
   * `commandTimeoutMs` (a network partition that closes nothing, a Redis that stopped
   * answering) puts the list out of sync and opens a new connection, so a silent loss of the
   * subscription is noticed within `pingIntervalMs + commandTimeoutMs`.
   * @default 5000
   */
  pingIntervalMs?: number | undefined;
  /**
   * Where outages, recoveries and a full list are reported.
   * @default console
   */
  logger?: Pick<Logger, 'warn' | 'error'> | undefined;
}

/** How the list has been keeping up. */
export interface RevocationsHealth {
  /** True while subscribed and in sync: every revocation reaches this process. */
  readonly ok: boolean;
  /** Since when it has been out of sync, epoch milliseconds; undefined while ok. */
  readonly failingSince: number | undefined;
  /** What the last failure said, if there was one. */
  readonly lastError: string | undefined;
}

/** A revocation list shared through Redis. */
export interface RedisRevocations extends Revocations {
  /**
   * Resolves once subscribed and in sync for the first time; await it before serving (until
   * then the list is out of sync, and `failMode` applies). Never rejects; it waits for Redis.
   */
  ready(): Promise<void>;
  /** How the list has been keeping up: wire it to a readiness check. */
  health(): RevocationsHealth;
  /** Unsubscribes and closes its own connection (not the client's). */
  close(): void;
}

/** The defaults of {@link redisRevocations} besides those of `memoryRevocations`. */
export const redisRevocationsDefaults = Object.freeze({
  prefix: 'sessionkit:revocations:',
  failMode: 'closed',
  commandTimeoutMs: 2000,
  pingIntervalMs: 5000,
});

/** The option names {@link redisRevocations} knows; any other is refused. */
export const revocationOptionNames = [
  'client',
  'prefix',
  'failMode',
  'commandTimeoutMs',
  'pingIntervalMs',
  'absoluteTimeoutSeconds',
  'maxEntries',
  'now',
  'logger',
] as const;

/**
 * One revocation, in one round trip: the entry (the later of two times wins), the pruning of
 * entries that no longer matter and of the oldest past `maxEntries`, and the message to every
 * subscriber.
 *
 * KEYS[1] the sorted set; ARGV: score, member, keep scores from, max entries, channel, message.
 */
export const addScript = `redis.call('ZADD', KEYS[1], 'GT', ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if over > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, over - 1) end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1`;
