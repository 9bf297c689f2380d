import { describe, invalidOption, SessionkitError } from '../../core/errors.ts';

/**
 * The part of an [ioredis](https://github.com/redis/ioredis) v5 `Redis` or `Cluster` that
 * {@link redisStore} uses. Create it with `enableOfflineQueue: false`.
 */
export interface IoredisClient {
  /** `true` for a `Cluster`. */
  readonly isCluster: boolean;
  readonly options: { readonly enableOfflineQueue?: boolean | undefined };
  call(command: string, args: string[]): Promise<unknown>;
}

/**
 * The part of a [node-redis](https://github.com/redis/node-redis) v5 client
 * (`createClient` from `redis`) that {@link redisStore} uses. Create it with
 * `disableOfflineQueue: true`.
 */
export interface NodeRedisClient {
  readonly options?: { readonly disableOfflineQueue?: boolean | undefined } | undefined;
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * The part of a node-redis v5 cluster client (`createCluster` from `redis`) that
 * {@link redisStore} uses. Create it with `defaults: { disableOfflineQueue: true }`.
 */
export interface NodeRedisCluster {
  /** The cluster's masters: how a cluster client is told apart from a plain one. */
  readonly masters: readonly unknown[];
  sendCommand(firstKey: string, isReadonly: boolean, args: string[]): Promise<unknown>;
}

/**
 * A Redis client {@link redisStore} can use: node-redis v5 (`createClient`, `createCluster`)
 * or ioredis v5 (`new Redis`, `new Cluster`), passed as it is. The store sends raw commands
 * (`GET`, `SET`, `EVAL`, `DEL`), each naming its one key, so a cluster routes it to the
 * node holding that key's slot.
 */
export type RedisClient = NodeRedisClient | NodeRedisCluster | IoredisClient;

/**
 * Sends one command naming one key (a cluster routes it by that key, always to the master:
 * a replica may lag, and a session written a moment ago must read back).
 */
export type Send = (key: string, args: string[]) => Promise<unknown>;

/** Which client it is, for messages. */
export type ClientKind = 'ioredis' | 'ioredis Cluster' | 'node-redis' | 'node-redis cluster';

const how = {
  ioredis: 'new Redis(url, { enableOfflineQueue: false })',
  'ioredis Cluster': 'new Cluster(nodes, { enableOfflineQueue: false })',
  'node-redis': 'createClient({ url, disableOfflineQueue: true })',
  'node-redis cluster': 'createCluster({ rootNodes, defaults: { disableOfflineQueue: true } })',
} as const;

/**
 * Recognises the client, checks that commands will not wait in an offline queue while Redis
 * is unreachable, and returns one function that sends a command through it.
 */
export function commandSender(
  client: unknown,
  what = 'redisStore',
): { kind: ClientKind; send: Send } {
  if (typeof client !== 'object' || client === null) {
    throw invalidOption(what, 'client', client, expected);
  }
  const c = client as Record<string, unknown>;
  if (typeof c.call === 'function' && typeof c.isCluster === 'boolean') {
    const io = client as IoredisClient;
    const kind: ClientKind = io.isCluster ? 'ioredis Cluster' : 'ioredis';
    if (io.options?.enableOfflineQueue !== false) throw offlineQueue(kind, what);
    const { scaleReads } = io.options as { scaleReads?: unknown };
    if (io.isCluster && scaleReads !== undefined && scaleReads !== 'master') {
      // A replica lags its master: a session written a moment ago could read as gone.
      throw new SessionkitError(
        'invalid_option',
        `${what}: option client is invalid: got an ioredis Cluster with scaleReads ${describe(scaleReads)}, expected one that reads from masters (scaleReads: 'master', the default)`,
      );
    }
    return { kind, send: (_key, args) => io.call(args[0]!, args.slice(1)) };
  }
  if (typeof c.sendCommand === 'function' && Array.isArray(c.masters)) {
    const cluster = client as NodeRedisCluster;
    const options = c._options as { defaults?: { disableOfflineQueue?: boolean } } | undefined;
    if (options?.defaults?.disableOfflineQueue !== true) {
      throw offlineQueue('node-redis cluster', what);
    }
    return {
      kind: 'node-redis cluster',
      send: (key, args) => cluster.sendCommand(key, false, args),
    };
  }
  if (typeof c.sendCommand === 'function' && typeof c.options === 'object') {
    const node = client as NodeRedisClient;
    if (node.options?.disableOfflineQueue !== true) throw offlineQueue('node-redis', what);
    return { kind: 'node-redis', send: (_key, args) => node.sendCommand(args) };
  }
  throw invalidOption(what, 'client', client, expected);
}

const expected =
  'a node-redis v5 client or cluster (createClient, createCluster from `redis`) or an ioredis v5 Redis or Cluster';

function offlineQueue(kind: ClientKind, what: string): SessionkitError {
  return new SessionkitError(
    'invalid_option',
    `${what}: option client is invalid: got ${kind.startsWith('io') ? 'an' : 'a'} ${kind} client with its offline queue on, expected one whose commands fail at once while Redis is unreachable instead of queueing: ${how[kind]}`,
  );
}
