// The store contract (src/testing/store-contract.ts) for redisStore on a real redis-server,
// through both clients: node-redis v5 and ioredis v5.
import { Redis } from 'ioredis';
import { after } from 'node:test';
import { createClient } from 'redis';
import { redisStore } from '../src/stores/redis/redis-store.ts';
import { storeContract } from '../src/testing/store-contract.ts';
import { startRedis } from './support/redis.ts';

const server = await startRedis();
const nodeRedis = createClient({ url: server.url, disableOfflineQueue: true });
await nodeRedis.connect();
const ioredis = new Redis(server.port, '127.0.0.1', {
  enableOfflineQueue: false,
  lazyConnect: true,
});
await ioredis.connect();
after(async () => {
  nodeRedis.destroy();
  ioredis.disconnect();
  await server.stop();
});

storeContract({
  name: 'redisStore (node-redis)',
  make: (options) => redisStore({ ...options, client: nodeRedis, prefix: 'contract:node:' }),
});

storeContract({
  name: 'redisStore (ioredis)',
  make: (options) => redisStore({ ...options, client: ioredis, prefix: 'contract:io:' }),
});
