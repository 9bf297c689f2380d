// SESSION_STORE=redis: the example's sessions in Redis, shared by every process that uses the
// same Redis. REDIS_URL (default redis://127.0.0.1:6379), or REDIS_CLUSTER_NODES
// (host:port,host:port,…) for a Redis Cluster. Connecting is asynchronous, so main.ts does it
// before building the application, and passes the store in.
import type { SessionEnvOptions } from '../../src/index.ts';
import { redisRevocations, redisStore } from '../../src/redis.ts';
import type { RedisRevocations } from '../../src/redis.ts';

/** The variables this file reads. */
export interface RedisEnv {
  REDIS_URL?: string | undefined;
  REDIS_CLUSTER_NODES?: string | undefined;
}

/** A connected client's store, for `createApp(env, { store })`, and how to let it go. */
export interface ExampleRedis {
  store: NonNullable<SessionEnvOptions['store']>;
  close(): Promise<void>;
}

/** Connects to Redis (or the cluster); resolves once connected. */
export async function connectRedis(env: RedisEnv): Promise<ExampleRedis> {
  const { createClient, createCluster } = await import('redis'); // loaded only when used
  const nodes = (env.REDIS_CLUSTER_NODES ?? '')
    .split(',')
    .map((node) => node.trim())
    .filter((node) => node !== '');
  // disableOfflineQueue: while Redis is unreachable requests get 503 at once, nothing queues.
  const client =
    nodes.length > 0
      ? createCluster({
          rootNodes: nodes.map((node) => ({ url: `redis://${node}` })),
          defaults: { disableOfflineQueue: true },
        })
      : createClient({ url: env.REDIS_URL ?? 'redis://127.0.0.1:6379', disableOfflineQueue: true });
  client.on('error', (error: Error) =>
    console.error(`sessionkit example: Redis: ${error.message}`),
  );
  await client.connect();
  return {
    store: (timeouts) => redisStore({ client, ...timeouts }),
    close: () => client.close(),
  };
}

/**
 * REVOCATION_STORE=redis (with the cookie store): a revocation list shared by every process on
 * the Redis at REDIS_URL; resolves once it is subscribed and in sync.
 */
export async function connectRevocations(
  env: RedisEnv & { SESSION_ABSOLUTE_TIMEOUT?: string | undefined },
): Promise<{ revocations: RedisRevocations; close(): Promise<void> }> {
  const { createClient } = await import('redis');
  const client = createClient({
    url: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    disableOfflineQueue: true,
  });
  client.on('error', (error: Error) =>
    console.error(`sessionkit example: Redis: ${error.message}`),
  );
  await client.connect();
  const absolute = Number(env.SESSION_ABSOLUTE_TIMEOUT);
  const revocations = redisRevocations({
    client,
    ...(Number.isSafeInteger(absolute) && absolute > 0 ? { absoluteTimeoutSeconds: absolute } : {}),
  });
  await revocations.ready();
  return {
    revocations,
    close: async () => {
      revocations.close();
      await client.close();
    },
  };
}
