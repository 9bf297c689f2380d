// redisRevocations on real redis-server processes, with both clients (node-redis v5 and
// ioredis v5): revocations reach every server through pub/sub; a list started later reads
// them from Redis; a dropped subscription is resynchronised; Redis killed (fail closed: 503,
// fail open: the list as it was) and restarted empty (the lists write back what they held).
// Then the example application as two processes sharing one Redis (REVOCATION_STORE=redis).
// Waiting here is for messages between connections and processes, bounded by `eventually`.
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { wrapSession } from '../src/session/wrap-session.ts';
import { newSessionId } from '../src/session/session-id.ts';
import { cookieStore } from '../src/stores/cookie/cookie-store.ts';
import { redisRevocations } from '../src/stores/redis/revocations.ts';
import type {
  RedisRevocations,
  RedisRevocationsOptions,
  RevocationsClient,
} from '../src/stores/redis/revocations.ts';
import type { Handler } from '../src/core/types.ts';
import { Client, formToken } from './support/client.ts';
import { startExample } from './support/example-process.ts';
import { cookieFrom, RecordingLogger, request } from './support/fakes.ts';
import { startRedis } from './support/redis.ts';
import type { RedisServer } from './support/redis.ts';

/** Polls `check` until it holds, for at most `ms`; fails with `what` otherwise. */
async function eventually(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Connection {
  client: RevocationsClient;
  close(): void;
}

const clients: Record<string, (server: RedisServer) => Promise<Connection>> = {
  'node-redis': async (server) => {
    const client = createClient({ url: server.url, disableOfflineQueue: true });
    client.on('error', () => undefined);
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

const secret = 'Rv7kQ2mZ9xL4pT1wB8nH3sD6fG0jCeYu-revocations';
const until = () => Math.floor(Date.now() / 1000) + 3600;

describe('redisRevocations', { concurrency: true }, () => {
  for (const [name, connect] of Object.entries(clients)) {
    describe(`with ${name}`, { concurrency: 1 }, () => {
      let server: RedisServer;
      /** Two app servers' clients. */
      let one: Connection;
      let two: Connection;
      const lists: RedisRevocations[] = [];
      let n = 0;

      before(async () => {
        server = await startRedis();
        [one, two] = await Promise.all([connect(server), connect(server)]);
      });
      after(async () => {
        for (const list of lists) list.close();
        one.close();
        two.close();
        await server.stop();
      });

      /** A list on `connection`, with this test's prefix. */
      function list(
        connection: Connection,
        options: Partial<RedisRevocationsOptions> = {},
      ): RedisRevocations {
        const made = redisRevocations({
          client: connection.client,
          prefix: `t${n}:`,
          logger: new RecordingLogger(),
          ...options,
        });
        lists.push(made);
        return made;
      }

      it('L-07, L-13: a revocation on one server reaches the other through pub/sub; a list started later reads it from Redis', async () => {
        n++;
        const [a, b] = [list(one), list(two)];
        await Promise.all([a.ready(), b.ready()]);
        const id = newSessionId(Date.now());
        await a.revoke(id, until());
        await eventually('b sees the revoked id', () => b.isRevoked(id, undefined));
        const before = newSessionId(Date.now() - 1);
        await b.revokeSubject('alice');
        await eventually('a sees the revoked subject', () => a.isRevoked(before, 'alice'));
        assert.equal(a.isRevoked(newSessionId(Date.now() + 1), 'alice'), false);
        assert.equal(server.cli('zcard', `t${n}:ids`).trim(), '1');
        const late = list(one);
        await late.ready();
        assert.equal(late.isRevoked(id, undefined), true);
        assert.equal(late.isRevoked(before, 'alice'), true);
        assert.equal(late.health().ok, true);
      });

      it('L-07: through two app servers, a cookie copied before a logout on one opens on neither', async () => {
        n++;
        const [a, b] = [list(one), list(two)];
        await Promise.all([a.ready(), b.ready()]);
        const app = (revocations: RedisRevocations): Handler =>
          wrapSession({ store: cookieStore({ secrets: [secret], revocations }) })((req) => {
            if (req.path === '/login') {
              return { status: 200, session: { user: 'alice' }, sessionSubject: 'alice' };
            }
            if (req.path === '/logout') return { status: 200, session: null };
            return { status: 200, body: JSON.stringify(req.session) };
          });
        const [first, second] = [app(a), app(b)];
        const cookie = cookieFrom(await first(request({ path: '/login' })), 'session')!;
        const read = (server: Handler) =>
          Promise.resolve(server(request({ path: '/me', headers: { cookie } }))).then((r) =>
            String(r!.body),
          );
        assert.equal(await read(second), '{"user":"alice"}');
        await second(request({ path: '/logout', headers: { cookie } }));
        assert.equal(await read(second), '{}');
        // The other server knows once the message arrives: poll its list, then read.
        const seen = cookieStore({ secrets: [secret] }).inspect(cookie.slice('session='.length));
        const id = seen.opened ? seen.id : assert.fail('the cookie opens');
        await eventually('the first server sees the logout', () => a.isRevoked(id, 'alice'));
        assert.equal(await read(first), '{}');
      });

      it('resynchronises when its subscription drops: a revocation it missed is read from Redis', async () => {
        n++;
        const logger = new RecordingLogger();
        const a = list(one, { logger });
        await a.ready();
        // A revocation whose message this list never got: in Redis only.
        const id = newSessionId(Date.now());
        server.cli('zadd', `t${n}:ids`, String(until()), id);
        assert.equal(a.isRevoked(id, undefined), false);
        server.cli('client', 'kill', 'type', 'pubsub'); // every subscriber's connection
        await eventually('the list is read again from Redis', () => {
          try {
            return a.isRevoked(id, undefined); // throws while out of sync (failMode 'closed')
          } catch {
            return false;
          }
        });
        assert.equal(a.health().ok, true);
        assert.ok(logger.errors.some((m) => /subscription to Redis is down/.test(m)));
        assert.ok(logger.warnings.some((m) => /in sync with Redis again/.test(m)));
      });

      it("R-11: Redis killed: 'closed' fails the check (503), 'open' keeps the list it had; restarted empty: the lists write back what they held", async () => {
        n++;
        const closed = list(one);
        const open = list(two, { failMode: 'open' });
        await Promise.all([closed.ready(), open.ready()]);
        const id = newSessionId(Date.now());
        await closed.revoke(id, until());
        await eventually('open sees it', () => open.isRevoked(id, undefined));

        await server.kill();
        await eventually(
          'both know they are out of sync',
          () => !closed.health().ok && !open.health().ok,
        );
        const other = newSessionId(Date.now());
        assert.throws(() => closed.isRevoked(other, undefined), /out of sync/);
        assert.equal(open.isRevoked(id, undefined), true);
        assert.equal(open.isRevoked(other, undefined), false);
        await assert.rejects(closed.revoke(other, until()), /redisRevocations/);
        // A cookie store on the closed list rejects the read: wrapSession's 503.
        const store = cookieStore({ secrets: [secret], revocations: closed });
        const key = await cookieStore({ secrets: [secret] }).write(undefined, {});
        await assert.rejects(store.read(key), /out of sync/);

        await server.restart(); // an empty Redis on the same port
        await eventually(
          'both in sync again',
          () => closed.health().ok && open.health().ok,
          10_000,
        );
        assert.equal(closed.isRevoked(id, undefined), true);
        await eventually('written back', () => server.cli('zscore', `t${n}:ids`, id).trim() !== '');
        const fresh = list(one);
        await fresh.ready();
        assert.equal(fresh.isRevoked(id, undefined), true, 'a new server learns it from Redis');
        const after = newSessionId(Date.now());
        await open.revoke(after, until());
        await eventually('closed sees a new revocation', () => closed.isRevoked(after, undefined));
        assert.ok(await store.read(key));
      });

      it('R-11: a Redis that stops answering (paused, as a silent partition looks) is noticed by a ping; resumed, the list is in sync again', async () => {
        n++;
        const logger = new RecordingLogger();
        const a = list(one, { logger, pingIntervalMs: 100, commandTimeoutMs: 200 });
        await a.ready();
        const id = newSessionId(Date.now());
        server.pause();
        const paused = Date.now();
        try {
          await eventually('the ping notices', () => !a.health().ok, 2000);
          assert.ok(Date.now() - paused < 1500, `noticed after ${Date.now() - paused} ms`);
          assert.throws(() => a.isRevoked(id, undefined), /out of sync/);
          assert.match(a.health().lastError ?? '', /no answer to PING within 200 ms/);
        } finally {
          server.resume();
        }
        await eventually('in sync again', () => a.health().ok, 10_000);
        assert.equal(a.isRevoked(id, undefined), false);
      });

      it('refuses a cluster client, a client with its offline queue on, and unknown options', () => {
        assert.throws(
          () => redisRevocations({ client: one.client, failMode: 'maybe' as never }),
          /failMode is invalid/,
        );
        assert.throws(
          () => redisRevocations({ client: one.client, prefx: 'x' } as never),
          /did you mean prefix/,
        );
        assert.throws(
          () =>
            redisRevocations({
              client: {
                isCluster: true,
                options: { enableOfflineQueue: false },
                call: () => Promise.resolve(),
              } as never,
            }),
          /a client of one Redis/,
        );
      });
    });
  }
});

describe('the example as two processes sharing one Redis (REVOCATION_STORE=redis)', () => {
  it('L-07, L-13: a cookie copied before /logout opens on neither; POST /logout/all ends every session of the user on both', async () => {
    const redis = await startRedis();
    const env = { COOKIE_SECRET: secret, REVOCATION_STORE: 'redis', REDIS_URL: redis.url };
    const [first, second] = await Promise.all([startExample(env), startExample(env)]);
    try {
      const browse = (server: { url: string }) =>
        new Client((path, init) => fetch(server.url + path, init));
      const laptop = browse(first);
      assert.equal(await laptop.text('/login/alice'), 'User set to: alice');
      const copied = laptop.cookie('session')!;
      const replay = async (server: { url: string }) =>
        (await fetch(`${server.url}/session`, { headers: { cookie: `session=${copied}` } })).json();
      assert.deepEqual(await replay(second), { user: 'alice' });
      assert.equal(await laptop.text('/logout'), 'Session cleared');
      assert.deepEqual(await replay(first), {});
      let other: unknown;
      await eventually('the second server sees the logout', () => {
        void replay(second).then((json) => (other = json));
        return JSON.stringify(other) === '{}';
      });

      // Two devices signed in as alice, one on each server; bob elsewhere.
      const phone = browse(second);
      const bob = browse(second);
      await laptop.get('/login/alice');
      await phone.get('/login/alice');
      await bob.get('/login/bob');
      const token = formToken(await laptop.text('/form'));
      assert.equal((await laptop.post('/logout/all', {})).status, 403, 'needs the token');
      const all = await laptop.post('/logout/all', { '__anti-forgery-token': token });
      assert.equal(await all.text(), 'Signed out everywhere');
      let phoneSession: unknown;
      await eventually('the phone is signed out on the other server', () => {
        void phone.json('/session').then((json) => (phoneSession = json));
        return JSON.stringify(phoneSession) === '{}';
      });
      assert.deepEqual(await laptop.json('/session'), {});
      assert.deepEqual(await bob.json('/session'), { user: 'bob' });
      // Signing in again works at once.
      await phone.get('/login/alice');
      assert.deepEqual(await phone.json('/session'), { user: 'alice' });
      assert.equal(first.stderr() + second.stderr(), '');
    } finally {
      await Promise.all([first.stop(), second.stop()]);
      await redis.stop();
    }
  });
});
