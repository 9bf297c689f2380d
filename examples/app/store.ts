// Where the example keeps its sessions: SESSION_STORE=cookie (the default), memory or redis.
// With redis, REDIS_URL (default redis://127.0.0.1:6379), or REDIS_CLUSTER_NODES
// (host:port,host:port,…) for a Redis Cluster.
import { memoryStore } from '../../src/index.ts';
import type { SessionEnvOptions } from '../../src/index.ts';
import { redisStore } from '../../src/redis.ts';

/** The variables this file reads. */
export interface StoreEnv {
  SESSION_STORE?: string | undefined;
  REDIS_URL?: string | undefined;
  REDIS_CLUSTER_NODES?: string | undefined;
}

/** What `sessionOptionsFromEnv` gets as its `store`, and how to let go of it. */
export interface ExampleStore {
  store: SessionEnvOptions['store'];
  close(): Promise<void>;
}

/** Connects to Redis when asked to; resolves once connected. */
export async function storeFromEnv(env: StoreEnv): Promise<ExampleStore> {
  const kind = env.SESSION_STORE ?? 'cookie';
  if (kind === 'cookie') return { store: undefined, close: async () => undefined };
  if (kind === 'memory')
    return { store: (timeouts) => memoryStore(timeouts), close: async () => undefined };
  if (kind !== 'redis') {
    throw new Error(
      `SESSION_STORE is invalid: got ${JSON.stringify(kind)}, expected cookie, memory or redis`,
    );
  }
  const { createClient, createCluster } = await import('redis'); // loaded only when used
  const nodes = (env.REDIS_CLUSTER_NODES ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
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
    close: async () => {
      await client.close();
    },
  };
}
