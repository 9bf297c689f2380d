// redisStore over a local three-master Redis Cluster (three `redis-server --cluster-enabled
// yes` processes joined with `redis-cli --cluster create`), with both clients: the store
// contract, keys spread over every master, and a login / read / logout flow through
// wrapSession, on one client and across the two (two app servers on one cluster).
import assert from 'node:assert/strict';
import { Cluster } from 'ioredis';
import { after, describe, it } from 'node:test';
import { createCluster } from 'redis';
import { redisStore } from '../src/stores/redis/redis-store.ts';
import { storeContract } from '../src/testing/store-contract.ts';
import { startRedisCluster } from './support/redis.ts';
import { loginReadLogout, twoServers } from './support/session-flow.ts';

const cluster = await startRedisCluster();
const nodeRedis = createCluster({
  rootNodes: [{ url: `redis://127.0.0.1:${cluster.nodes[0]!.port}` }],
  defaults: { disableOfflineQueue: true },
});
await nodeRedis.connect();
const ioredis = new Cluster(cluster.addresses, { enableOfflineQueue: false, lazyConnect: true });
await ioredis.connect();
after(async () => {
  nodeRedis.destroy();
  ioredis.disconnect();
  await cluster.stop();
});

const clients = { 'node-redis cluster': nodeRedis, 'ioredis Cluster': ioredis };

for (const [name, client] of Object.entries(clients)) {
  storeContract({
    name: `redisStore (${name})`,
    make: (options) =>
      redisStore({ ...options, client, prefix: `contract:${name.replace(' ', '-')}:` }),
  });
}

describe('redisStore on a Redis Cluster', () => {
  for (const [name, client] of Object.entries(clients)) {
    it(`${name}: session keys land on every master, each read back through the cluster`, async () => {
      const prefix = `spread:${name.replace(' ', '-')}:`;
      const store = redisStore({ client, prefix });
      const keys: string[] = [];
      for (let i = 0; i < 30; i++) keys.push((await store.write(undefined, { i }))!);
      for (const node of cluster.nodes) {
        const held = node.cli('--scan', '--pattern', `${prefix}*`).trim().split('\n');
        assert.ok(held.length >= 2, `master on port ${node.port} holds ${held.length} keys`);
      }
      for (const [i, key] of keys.entries()) assert.deepEqual((await store.read(key))!.data, { i });
    });

    it(`${name}: login, read, count, logout and a late write, through wrapSession`, async () => {
      const store = redisStore({ client, prefix: `flow:${name.replace(' ', '-')}:` });
      const { app, other, gate } = twoServers(store);
      await loginReadLogout(app, other, gate);
    });
  }

  it('two app servers, one on each client, share sessions on the cluster', async () => {
    const { app, other, gate } = twoServers(
      redisStore({ client: nodeRedis, prefix: 'shared:' }),
      redisStore({ client: ioredis, prefix: 'shared:' }),
    );
    await loginReadLogout(app, other, gate);
  });
});
