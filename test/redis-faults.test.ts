// redisStore when Redis fails, on a real redis-server that the tests SIGKILL, SIGSTOP and
// restart, with each client: requests get wrapSession's store-error response (503) within the
// command timeout, nothing piles up, nothing is reported as saved that was not, and the same
// process serves again once Redis answers. Plus a client that never answers at all.
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createClient } from 'redis';
import type { Handler } from '../src/core/types.ts';
import { redisStore } from '../src/stores/redis/redis-store.ts';
import type { RedisStore } from '../src/stores/redis/redis-store.ts';
import type { RedisClient } from '../src/stores/redis/client.ts';
import { cookieFrom, RecordingLogger, setCookies } from './support/fakes.ts';
import { startRedis } from './support/redis.ts';
import type { RedisServer } from './support/redis.ts';
import { flowApp, Gate, get } from './support/session-flow.ts';

/** The command timeout in these tests: short, so that a timeout costs little real time. */
const timeoutMs = 300;

interface Connection {
  client: RedisClient;
  close(): void;
}

const clients: Record<string, (server: RedisServer) => Promise<Connection>> = {
  'node-redis': async (server) => {
    const client = createClient({ url: server.url, disableOfflineQueue: true });
    client.on('error', () => undefined); // reconnect errors; an unheard 'error' would throw
    await client.connect();
    return { client, close: () => client.destroy() };
  },
  ioredis: async (server) => {
    const client = new Redis(server.port, '127.0.0.1', {
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    client.on('error', () => undefined);
    await client.connect();
    return { client, close: () => client.disconnect() };
  },
};

/** Milliseconds `fn` took, and what it returned. */
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await fn();
  return [result, performance.now() - start];
}

/** Retries `GET path` until it answers 200 (the client reconnecting), for at most 10 s. */
async function untilServed(app: Handler, path: string, cookie?: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await get(app, path, cookie);
    if (response.status === 200 || Date.now() > deadline) return response;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function getCalls(server: RedisServer): number {
  return Number(/^cmdstat_get:calls=(\d+)/m.exec(server.cli('info', 'commandstats'))?.[1] ?? 0);
}

function assertStoreError(response: Awaited<ReturnType<typeof get>>): void {
  assert.equal(response.status, 503);
  assert.equal(response.body, 'Service Unavailable');
  assert.deepEqual(setCookies(response), [], 'R-01: no Set-Cookie on a store failure');
}

// Each client has its own server, so the two run side by side (they mostly wait on timers).
describe('redisStore when Redis fails', { concurrency: true }, () => {
  for (const [name, connect] of Object.entries(clients)) {
    describe(`with ${name}`, { concurrency: 1 }, () => {
      let server: RedisServer;
      let connection: Connection;
      let store: RedisStore;
      let logger: RecordingLogger;
      let gate: Gate;
      let app: Handler;
      /** The same sessions through a store with the default timeout, for setting up. */
      let setup: Handler;

      before(async () => {
        server = await startRedis();
        connection = await connect(server);
      });
      after(async () => {
        connection.close();
        await server.stop();
      });
      beforeEach(() => {
        logger = new RecordingLogger();
        store = redisStore({ client: connection.client, commandTimeoutMs: timeoutMs, logger });
        gate = new Gate();
        app = flowApp(store, { logger, gate: () => gate });
        setup = flowApp(redisStore({ client: connection.client }));
      });

      async function login(): Promise<string> {
        const cookie = cookieFrom(await get(setup, '/login/alice'), 'session');
        assert.ok(cookie);
        return cookie;
      }

      it('R-01: Redis paused: 503 after the command timeout, then fast 503s that send nothing; resumed: the same session again', async () => {
        const cookie = await login();
        const getsBefore = getCalls(server);
        server.pause();
        try {
          const [first, waited] = await timed(() => get(app, '/me', cookie));
          assertStoreError(first);
          assert.ok(waited >= timeoutMs - 20 && waited < timeoutMs + 1000, `waited ${waited} ms`);
          assert.equal(store.health().ok, false);
          for (let i = 0; i < 10; i++) {
            const [response, took] = await timed(() => get(app, '/me', cookie));
            assertStoreError(response);
            assert.ok(took < timeoutMs, `a request while the store fails fast took ${took} ms`);
          }
          assert.equal(store.health().failures, 11);
          // The process keeps serving what needs no session.
          assert.equal((await get(app, '/me')).status, 200);
        } finally {
          server.resume();
        }
        const back = await untilServed(app, '/me', cookie);
        assert.deepEqual(JSON.parse(String(back.body)), { user: 'alice' });
        assert.equal(store.health().ok, true);
        // One GET reached the paused server (its late answer reopened the store), then the
        // successful ones: the 10 fast failures sent nothing.
        const successes = 1;
        assert.ok(getCalls(server) - getsBefore <= 1 + successes + 1, 'no pile-up');
        assert.ok(logger.errors.some((m) => /redisStore: Redis \(.+\) is failing/.test(m)));
        assert.ok(logger.errors.some((m) => m === 'sessionkit: the session store failed to read'));
        assert.equal(
          logger.errors.filter((m) => /is failing/.test(m)).length,
          1,
          'the outage is logged once',
        );
        assert.ok(logger.warnings.some((m) => /answers again after/.test(m)));
      });

      it('R-04: a write that times out answers 503, never a 200 whose change was lost', async () => {
        const cookie = await login();
        const pending = get(app, '/slow-count', cookie);
        await gate.arrived; // the session was read; the handler is running
        server.pause();
        try {
          gate.open();
          assertStoreError(await pending);
        } finally {
          server.resume();
        }
        await untilServed(app, '/me', cookie);
      });

      it('R-05: a logout that cannot reach Redis answers 503 and does not expire the cookie; the session is still there after', async () => {
        const cookie = await login();
        server.pause();
        try {
          assertStoreError(await get(app, '/me', cookie)); // the store now fails fast
          const logout = await get(app, '/logout', cookie);
          assertStoreError(logout);
        } finally {
          server.resume();
        }
        const back = await untilServed(app, '/me', cookie);
        assert.deepEqual(
          JSON.parse(String(back.body)),
          { user: 'alice' },
          'not logged out silently',
        );
        assert.match(setCookies(await get(app, '/logout', cookie))[0]!, /Max-Age=0/);
      });

      it('R-01: Redis killed: 503 at once (no offline queue), logins fail without a cookie; restarted: served again without restarting the app', async () => {
        const cookie = await login();
        await server.kill();
        const [read, took] = await timed(() => get(app, '/me', cookie));
        assertStoreError(read);
        assert.ok(took < timeoutMs + 200, `took ${took} ms`);
        for (let i = 0; i < 5; i++) {
          const [again, fast] = await timed(() => get(app, '/me', cookie));
          assertStoreError(again);
          assert.ok(fast < timeoutMs, `a request while Redis is down took ${fast} ms`);
        }
        assertStoreError(await get(app, '/login/bob')); // no cookie for an unsaved id
        assert.equal((await get(app, '/me')).status, 200);
        assert.equal(store.health().ok, false);

        await server.restart(); // an empty Redis on the same port
        const login2 = await untilServed(app, '/login/bob');
        const bob = cookieFrom(login2, 'session');
        assert.deepEqual(JSON.parse(String((await get(app, '/me', bob)).body)), { user: 'bob' });
        // The old session died with the old server's memory: no session, not an error.
        assert.deepEqual(JSON.parse(String((await get(app, '/me', cookie)).body)), {});
        assert.equal(store.health().ok, true);
      });
    });
  }

  describe('with a client that never answers', { concurrency: 1 }, () => {
    /** A node-redis-shaped client whose commands hang until `answering` is set. */
    class Wedged {
      readonly options = { disableOfflineQueue: true };
      answering = false;
      sent: string[] = [];
      sendCommand(args: string[]): Promise<unknown> {
        this.sent.push(args[0]!);
        return this.answering ? Promise.resolve(null) : new Promise(() => undefined);
      }
    }

    it('answers 503 within the timeout, fails fast after, probes one command at a time, reports it, and recovers when it answers', async () => {
      const client = new Wedged();
      const logger = new RecordingLogger();
      const store = redisStore({ client, commandTimeoutMs: 100, logger });
      const app = flowApp(store, { logger });
      const cookie = `session=${'W'.repeat(43)}`;

      const [first, waited] = await timed(() => get(app, '/me', cookie));
      assertStoreError(first);
      assert.ok(waited >= 80 && waited < 1000, `waited ${waited} ms`);
      for (let i = 0; i < 10; i++) assertStoreError(await get(app, '/me', cookie));
      assert.deepEqual(client.sent, ['GET'], 'nothing sent while failing fast');
      const health = store.health();
      assert.equal(health.ok, false);
      assert.equal(health.failures, 11);
      assert.ok(health.failingSince! <= Date.now() && health.failingSince! > Date.now() - 5000);
      assert.match(health.lastError!, /not sent: Redis has not answered a command within 100 ms/);

      await new Promise((resolve) => setTimeout(resolve, 120)); // the fail-fast interval
      const probe = get(app, '/me', cookie);
      assertStoreError(await get(app, '/me', cookie)); // a second request while the probe waits
      assertStoreError(await probe);
      assert.deepEqual(client.sent, ['GET', 'GET'], 'one probe per interval');

      client.answering = true;
      await new Promise((resolve) => setTimeout(resolve, 120));
      const back = await get(app, '/me', cookie);
      assert.equal(back.status, 200);
      assert.equal(store.health().ok, true);
      assert.equal(logger.errors.filter((m) => /is failing/.test(m)).length, 1);
      assert.equal(logger.warnings.filter((m) => /answers again/.test(m)).length, 1);
    });
  });
});
