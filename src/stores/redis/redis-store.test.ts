import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import type { RedisClientType } from 'redis';
import { Clock } from '../../../test/support/clock.ts';
import { cookieFrom, RecordingLogger } from '../../../test/support/fakes.ts';
import { startRedis } from '../../../test/support/redis.ts';
import type { RedisServer } from '../../../test/support/redis.ts';
import { flowApp, get } from '../../../test/support/session-flow.ts';
import { SessionkitError } from '../../core/errors.ts';
import { redisStore } from './redis-store.ts';
import { touchScript, writeIfScript } from './value.ts';
import type { RedisStoreOptions } from './redis-store.ts';

let server: RedisServer;
let client: RedisClientType;

before(async () => {
  server = await startRedis();
  client = createClient({ url: server.url, disableOfflineQueue: true });
  await client.connect();
  // As the first call of each would: the counts below are those of a server that holds the
  // scripts (a server that does not is the NOSCRIPT test's).
  await client.scriptLoad(writeIfScript);
  await client.scriptLoad(touchScript);
});
after(async () => {
  client.destroy();
  await server.stop();
});

/** How many times Redis ran each command since it started, from `INFO commandstats`. */
function commandCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const match of server.cli('info', 'commandstats').matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) {
    counts[match[1]!] = Number(match[2]);
  }
  return counts;
}

/** The commands Redis ran while `fn` ran, e.g. `{ get: 1, set: 1 }`. */
async function commandsDuring(fn: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = commandCounts();
  await fn();
  const afterwards = commandCounts();
  const ran: Record<string, number> = {};
  for (const [name, calls] of Object.entries(afterwards)) {
    const n = calls - (before[name] ?? 0);
    if (n > 0 && name !== 'info') ran[name] = n;
  }
  return ran;
}

const isInvalidOption = (pattern: RegExp) => (error: unknown) =>
  error instanceof SessionkitError &&
  error.code === 'invalid_option' &&
  pattern.test(error.message);

describe('redisStore options', () => {
  it('refuses unknown options, naming the known ones', () => {
    assert.throws(
      () => redisStore({ client, ttl: 5 } as unknown as RedisStoreOptions),
      isInvalidOption(
        /option ttl is invalid: got a number, expected one of client, prefix.*did you mean idleTimeoutSeconds/,
      ),
    );
  });

  it('refuses a missing or unknown client', () => {
    for (const bad of [undefined, {}, { get: () => null }]) {
      assert.throws(
        () => redisStore({ client: bad } as unknown as RedisStoreOptions),
        isInvalidOption(/option client is invalid: .*expected a node-redis v5 client or cluster/),
      );
    }
  });

  it('refuses a client whose commands would wait in an offline queue, saying how to make one', () => {
    const cases: [unknown, RegExp][] = [
      [createClient({ url: server.url }), /a node-redis client .* disableOfflineQueue: true/],
      [
        createCluster({ rootNodes: [{ url: server.url }] }),
        /a node-redis cluster client .* defaults: \{ disableOfflineQueue: true \}/,
      ],
      [
        new Redis({ port: server.port, lazyConnect: true }),
        /an ioredis client .* enableOfflineQueue: false/,
      ],
      [
        new Cluster([{ port: server.port }], { lazyConnect: true }),
        /an ioredis Cluster client .* enableOfflineQueue: false/,
      ],
    ];
    for (const [bad, message] of cases) {
      assert.throws(
        () => redisStore({ client: bad } as RedisStoreOptions),
        isInvalidOption(message),
      );
    }
  });

  it('refuses an ioredis Cluster that reads from replicas (a lagging replica would lose fresh sessions)', () => {
    const cluster = new Cluster([{ port: server.port }], {
      lazyConnect: true,
      enableOfflineQueue: false,
      scaleReads: 'slave',
    });
    assert.throws(() => redisStore({ client: cluster }), isInvalidOption(/scaleReads/));
  });

  it('R-10: refuses a prefix that is empty, has spaces or a hash tag', () => {
    for (const prefix of ['', 'a b', '{sess}:', 'x'.repeat(101), 'é:']) {
      assert.throws(() => redisStore({ client, prefix }), isInvalidOption(/option prefix/));
    }
  });

  it('refuses a command timeout that is not a whole number of milliseconds from 1 to 60000', () => {
    for (const commandTimeoutMs of [0, 1.5, -1, 60_001, Number.NaN]) {
      assert.throws(
        () => redisStore({ client, commandTimeoutMs }),
        isInvalidOption(/option commandTimeoutMs/),
      );
    }
  });
});

describe('redisStore', () => {
  it('L-02: malformed ids never reach Redis', async () => {
    const sent: string[][] = [];
    const recording = {
      options: { disableOfflineQueue: true },
      sendCommand: async (args: string[]) => {
        sent.push(args);
        return null;
      },
    };
    const store = redisStore({ client: recording });
    for (const id of [
      '',
      '*',
      '../x',
      'user:1:profile',
      'a\nb',
      'x'.repeat(10_000),
      'A'.repeat(42),
    ]) {
      assert.equal(await store.read(id), undefined);
      assert.equal(await store.write(id, { v: 1 }), undefined);
      assert.equal(await store.touch(id), undefined);
      await store.delete(id);
    }
    assert.deepEqual(sent, []);
    await store.read('A'.repeat(43));
    assert.deepEqual(sent, [['GET', `session:${'A'.repeat(43)}`]], 'a well-formed id is looked up');
  });

  it('R-10: keeps each session under <prefix><id>, one key per session', async () => {
    const store = redisStore({ client, prefix: 'myapp:sess:' });
    const id = (await store.write(undefined, { user: 'alice' }))!;
    assert.match(id, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(await client.exists(`myapp:sess:${id}`), 1);
    assert.equal(await client.exists(id), 0);
  });

  it('R-07: writes the data and its TTL in one SET, TTL = min(idle, what remains of the absolute timeout)', async () => {
    const clock = new Clock();
    const store = redisStore({
      client,
      idleTimeoutSeconds: 600,
      absoluteTimeoutSeconds: 1000,
      now: clock.now,
    });
    let id = '';
    assert.deepEqual(
      await commandsDuring(async () => (id = (await store.write(undefined, { v: 1 }))!)),
      { set: 1 },
    );
    assert.equal(await client.ttl(`session:${id}`), 600);
    const created = clock.seconds;
    clock.advance(700); // 300 s of the absolute timeout remain
    assert.deepEqual(await commandsDuring(() => store.write(id, { v: 2 }, created)), { set: 1 });
    assert.equal(await client.ttl(`session:${id}`), 300);
  });

  it('R-07: a write past the absolute timeout deletes the session instead', async () => {
    const clock = new Clock();
    const store = redisStore({
      client,
      idleTimeoutSeconds: 600,
      absoluteTimeoutSeconds: 1000,
      now: clock.now,
    });
    const created = clock.seconds;
    const id = (await store.write(undefined, { v: 1 }))!;
    clock.advance(1000);
    assert.equal(await store.write(id, { v: 2 }, created), undefined);
    assert.equal(await client.exists(`session:${id}`), 0);
  });

  it('Q-03: touch moves the TTL and the touch time in one command, leaving the data byte for byte', async () => {
    const clock = new Clock();
    const store = redisStore({
      client,
      idleTimeoutSeconds: 600,
      absoluteTimeoutSeconds: 6000,
      now: clock.now,
    });
    const id = (await store.write(undefined, { role: 'user', list: [1, 2] }))!;
    const key = `session:${id}`;
    const before = (await client.get(key))!;
    await client.expire(key, 5);
    clock.advance(120);
    // One round trip: EVALSHA, whose script runs GETRANGE, SETRANGE and EXPIRE inside Redis.
    assert.deepEqual(await commandsDuring(() => store.touch(id)), {
      evalsha: 1,
      getrange: 1,
      setrange: 1,
      expire: 1,
    });
    const afterwards = (await client.get(key))!;
    assert.equal(afterwards.slice(27), before.slice(27), 'the JSON is untouched');
    assert.equal(afterwards.slice(0, 15), before.slice(0, 15), 'so is the creation time');
    assert.notEqual(afterwards.slice(15, 26), before.slice(15, 26), 'the touch time moved');
    assert.equal(await client.ttl(key), 600);
    assert.equal((await store.read(id))!.stale, false);
  });

  it('one round trip per operation: GET to read, SET to write, DEL to delete', async () => {
    const store = redisStore({ client });
    const id = (await store.write(undefined, { v: 1 }))!;
    assert.deepEqual(await commandsDuring(() => store.read(id)), { get: 1 });
    assert.deepEqual(await commandsDuring(() => store.write(id, { v: 2 })), { set: 1 });
    assert.deepEqual(await commandsDuring(() => store.delete(id)), { del: 1 });
  });

  it('Q-11: an update that finds another write landed first tries again from what the script answered, without a GET', async () => {
    const store = redisStore({ client });
    const id = (await store.write(undefined, { a: 1, b: 1 }))!;
    const known = (await store.read(id))!;
    await store.write(id, { a: 2, b: 1 }, known.createdAt); // another request, meanwhile
    const add = (current: { data: { [k: string]: unknown } }) => ({ ...current.data, b: 2 });
    // Two EVALSHAs, each one GET inside the script; the second writes.
    assert.deepEqual(await commandsDuring(() => store.update!(id, add, known)), {
      evalsha: 2,
      get: 2,
      set: 1,
    });
    assert.deepEqual((await store.read(id))!.data, { a: 2, b: 2 });
  });

  it('a server that does not hold a script (restarted, failed over) gets its text once: NOSCRIPT, then EVAL', async () => {
    const store = redisStore({ client });
    const id = (await store.write(undefined, { n: 0 }))!;
    const increment = (current: { data: { [k: string]: unknown } }) => ({
      n: (current.data.n as number) + 1,
    });
    await client.scriptFlush();
    assert.deepEqual(await commandsDuring(() => store.update!(id, increment)), {
      get: 2, // the read, and the one inside the script
      evalsha: 1, // answered NOSCRIPT
      eval: 1,
      set: 1,
    });
    assert.deepEqual(await commandsDuring(() => store.update!(id, increment)), {
      get: 2,
      evalsha: 1,
      set: 1,
    });
    assert.deepEqual((await store.read(id))!.data, { n: 2 });
    await client.scriptLoad(touchScript); // for the tests after this one
  });

  it('Q-11: updates of one session sent together each expect what the one sent before writes: all land at once', async () => {
    const store = redisStore({ client });
    const id = (await store.write(undefined, { n: 0 }))!;
    const known = (await store.read(id))!;
    const increment = (current: { data: { [k: string]: unknown } }) => ({
      n: (current.data.n as number) + 1,
    });
    // Ten at once, all read before any wrote: one EVALSHA each, none lost.
    const ran = await commandsDuring(() =>
      Promise.all(Array.from({ length: 10 }, () => store.update!(id, increment, known))),
    );
    assert.deepEqual(ran, { evalsha: 10, get: 10, set: 10 });
    assert.deepEqual((await store.read(id))!.data, { n: 10 });
  });

  it('Q-11: another write breaks such a chain: each update of it tries once more, and all land', async () => {
    const store = redisStore({ client });
    const id = (await store.write(undefined, { n: 0 }))!;
    const known = (await store.read(id))!;
    await store.write(id, { n: 100 }, known.createdAt); // another process, meanwhile
    const increment = (current: { data: { [k: string]: unknown } }) => ({
      n: (current.data.n as number) + 1,
    });
    const ran = await commandsDuring(() =>
      Promise.all(Array.from({ length: 5 }, () => store.update!(id, increment, known))),
    );
    assert.deepEqual(ran, { evalsha: 10, get: 10, set: 5 });
    assert.deepEqual((await store.read(id))!.data, { n: 105 });
  });

  it('through wrapSession: a read costs one round trip, a read-increment-write two, a stale read two', async () => {
    const clock = new Clock();
    const store = redisStore({ client, idleTimeoutSeconds: 600, now: clock.now });
    const app = flowApp(store);
    const pair = cookieFrom(await get(app, '/login/alice'), 'session')!;
    assert.deepEqual(await commandsDuring(() => get(app, '/me', pair)), { get: 1 });
    // The write is conditional: a script that GETs, compares and SETs.
    assert.deepEqual(await commandsDuring(() => get(app, '/count', pair)), {
      get: 2,
      evalsha: 1,
      set: 1,
    });
    clock.advance(60); // the touch interval (idle / 10)
    assert.deepEqual(await commandsDuring(() => get(app, '/me', pair)), {
      get: 1,
      evalsha: 1,
      getrange: 1, // the three inside the script
      setrange: 1,
      expire: 1,
    });
    assert.deepEqual(await commandsDuring(() => get(app, '/me', pair)), { get: 1 });
  });

  for (const [what, value] of [
    ['no header', '{"user":"admin"}'],
    ['invalid JSON', 'v1:00001767225600:00001767225600:{"user":'],
    ['a JSON array', 'v1:00001767225600:00001767225600:[1,2]'],
    ['a JSON string', 'v1:00001767225600:00001767225600:"admin"'],
  ] as const) {
    it(`R-06: corrupt data (${what}) is no session, logged once, deleted, never a 5xx`, async () => {
      const logger = new RecordingLogger();
      const clock = new Clock();
      const store = redisStore({ client, logger, now: clock.now });
      const id = 'C'.repeat(43);
      await client.set(`session:${id}`, value);
      const response = await get(flowApp(store), '/me', `session=${id}`);
      assert.equal(response.status, 200);
      assert.equal(response.body, '{}');
      assert.equal(logger.warnings.length, 1);
      assert.match(logger.warnings[0]!, /is not a session/);
      assert.ok(!logger.warnings[0]!.includes(id), 'the id is never logged');
      assert.equal(await client.exists(`session:${id}`), 0);
      assert.equal(await store.read(id), undefined);
      assert.equal(logger.warnings.length, 1);
    });
  }

  it('R-06: a key of another type under the prefix is no session either, and is deleted', async () => {
    const logger = new RecordingLogger();
    const store = redisStore({ client, logger });
    const id = 'H'.repeat(43);
    await client.hSet(`session:${id}`, 'user', 'admin');
    assert.equal(await store.read(id), undefined);
    assert.equal(logger.warnings.length, 1);
    assert.equal(await client.exists(`session:${id}`), 0);
  });

  it('Z-06: refuses a session larger than maxSessionBytes with session_too_large', async () => {
    const store = redisStore({ client, maxSessionBytes: 100 });
    await assert.rejects(
      store.write(undefined, { text: 'é'.repeat(60) }),
      (error: unknown) =>
        error instanceof SessionkitError &&
        error.code === 'session_too_large' &&
        /131 bytes of JSON, more than maxSessionBytes \(100\)/.test(error.message),
    );
    assert.ok(await store.write(undefined, { text: 'x'.repeat(80) }));
  });
});
