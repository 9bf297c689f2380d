export { redisStore, redisStoreDefaults } from './stores/redis/redis-store.ts';
export type { RedisStore, RedisStoreOptions } from './stores/redis/redis-store.ts';
export type {
  IoredisClient,
  NodeRedisClient,
  NodeRedisCluster,
  RedisClient,
} from './stores/redis/client.ts';
export type { RedisHealth } from './stores/redis/guard.ts';
export { redisRevocations, redisRevocationsDefaults } from './stores/redis/revocations.ts';
export type {
  RedisRevocations,
  RedisRevocationsOptions,
  RevocationsClient,
  RevocationsHealth,
} from './stores/redis/revocations.ts';
