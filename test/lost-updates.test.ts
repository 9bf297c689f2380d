// Issue 14 §2: no lost updates in the server-side stores. Concurrent requests of one session
// that change different keys all land, and updateSession is atomic: in
// wrapSession over memoryStore, and end to end in the example application on the memory and
// the Redis store, 32 requests at once with one cookie.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { SessionkitError } from '../src/core/errors.ts';
import type { Handler, SessionData } from '../src/core/types.ts';
import { mergeChanges, updateSession, wrapSession } from '../src/session/wrap-session.ts';
import type { SessionStore } from '../src/session/store.ts';
import { cookieStore } from '../src/stores/cookie/cookie-store.ts';
import { memoryStore } from '../src/stores/memory/memory-store.ts';
import { Client } from './support/client.ts';
import { startExample } from './support/example-process.ts';
import type { ExampleProcess } from './support/example-process.ts';
import { cookieFrom, RecordingLogger, request, responseOf } from './support/fakes.ts';
import { startRedis } from './support/redis.ts';

const secret = randomBytes(32).toString('base64url');

/** A promise and the function that settles it, to hold a handler where a test wants it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** A store holding one session; resolves to the store, its cookie and a reader of its data. */
async function seeded(store: SessionStore, data: SessionData) {
  const key = (await store.write(undefined, data))!;
  return { cookie: `session=${key}`, read: async () => (await store.read(key))?.data };
}

describe('Q-11: concurrent writes of one session on a store with update', () => {
  it('two requests that change different keys both land', async () => {
    const store = memoryStore();
    const { cookie, read } = await seeded(store, { a: 0, b: 0, kept: 'yes' });
    const first = gate();
    const app: Handler = wrapSession({ store })(async (req) => {
      const k = req.query.get('k')!;
      if (k === 'a') await first.promise; // reads before b's write, writes after it
      return { status: 200, session: { ...req.session, [k]: 1 } };
    });
    const a = app(request({ path: '/?k=a', headers: { cookie } }));
    await app(request({ path: '/?k=b', headers: { cookie } }));
    first.open();
    await a;
    assert.deepEqual(await read(), { a: 1, b: 1, kept: 'yes' });
  });

  it('a key one request removed stays removed while another changes a different key', async () => {
    const store = memoryStore();
    const { cookie, read } = await seeded(store, { cart: ['x'], theme: 'light' });
    const first = gate();
    const app: Handler = wrapSession({ store })(async (req) => {
      const { cart: _cart, ...rest } = req.session!;
      if (req.path === '/clear') {
        await first.promise;
        return { status: 200, session: rest };
      }
      return { status: 200, session: { ...req.session, theme: 'dark' } };
    });
    const clear = app(request({ path: '/clear', headers: { cookie } }));
    await app(request({ path: '/theme', headers: { cookie } }));
    first.open();
    await clear;
    assert.deepEqual(await read(), { theme: 'dark' });
  });

  it('the same key changed by both: the later write wins, whole, never a mix', async () => {
    const store = memoryStore();
    const { cookie, read } = await seeded(store, { cart: { items: ['x'], total: 1 } });
    const first = gate();
    const app: Handler = wrapSession({ store })(async (req) => {
      const item = req.query.get('item')!;
      if (item === 'late') await first.promise;
      return { status: 200, session: { cart: { items: ['x', item], total: 2 } } };
    });
    const late = app(request({ path: '/?item=late', headers: { cookie } }));
    await app(request({ path: '/?item=early', headers: { cookie } }));
    first.open();
    await late;
    assert.deepEqual(await read(), { cart: { items: ['x', 'late'], total: 2 } });
  });

  it('a change made in place to a nested value still counts as a change', async () => {
    const store = memoryStore();
    const { cookie, read } = await seeded(store, { cart: ['x'], theme: 'light' });
    const first = gate();
    const app: Handler = wrapSession({ store })(async (req) => {
      if (req.path === '/add') {
        (req.session!.cart as string[]).push('y'); // mutates what was read
        await first.promise;
        return { status: 200, session: { ...req.session } };
      }
      return { status: 200, session: { ...req.session, theme: 'dark' } };
    });
    const add = app(request({ path: '/add', headers: { cookie } }));
    await app(request({ path: '/theme', headers: { cookie } }));
    first.open();
    await add;
    assert.deepEqual(await read(), { cart: ['x', 'y'], theme: 'dark' });
  });
});

describe('a store with update and subjects (a custom store)', () => {
  it('a response that names a subject writes it: update, which keeps the subject read, is not used', async () => {
    const inner = memoryStore();
    const { cookie } = await seeded(inner, { n: 0 });
    const subjects: (string | null | undefined)[] = [];
    const store: SessionStore = {
      subjects: true,
      read: (key) => inner.read(key),
      write: (key, data, createdAt, subject) => (
        subjects.push(subject),
        inner.write(key, data, createdAt)
      ),
      touch: (key) => inner.touch(key),
      delete: (key) => inner.delete(key),
      update: (...args) => inner.update!(...args),
    };
    const app = wrapSession({ store })((req) => ({
      status: 200,
      session: { ...req.session, user: 'alice' },
      sessionSubject: 'alice',
    }));
    await app(request({ headers: { cookie } }));
    assert.deepEqual(subjects, ['alice']);
  });
});

describe('mergeChanges', () => {
  it('a key the handler removed is removed, whatever its name', () => {
    const before = JSON.stringify({ toString: 'x', valueOf: 'y', a: 1 });
    assert.deepEqual(mergeChanges(before, { a: 1 }, { toString: 'x', valueOf: 'y', a: 2 }), {
      a: 2,
    });
  });

  it('a key set to undefined is absent, as in the JSON: another request’s new key is kept', () => {
    assert.deepEqual(mergeChanges('{"a":1}', { a: 1, b: undefined }, { a: 1, b: 'theirs' }), {
      a: 1,
      b: 'theirs',
    });
    // Set to undefined where it was read: removed, as a deleted key is.
    assert.deepEqual(
      mergeChanges('{"a":1,"b":2}', { a: 1, b: undefined }, { a: 1, b: 2 }).b,
      undefined,
    );
  });

  it('a key named like an Object.prototype member, new in the handler, is added', () => {
    assert.deepEqual(mergeChanges('{"a":1}', { a: 1, valueOf: 'v' }, { a: 2 }), {
      a: 2,
      valueOf: 'v',
    });
  });
});

describe('Q-12: updateSession', () => {
  const counter: Handler = async (req) => {
    const session = await updateSession(req, (s) => ({ ...s, n: ((s.n as number) ?? 0) + 1 }));
    return { status: 200, body: String(session.n), session };
  };

  it('100 concurrent increments of one session give 100', async () => {
    const store = memoryStore();
    const { cookie, read } = await seeded(store, { n: 0 });
    const app = wrapSession({ store })(counter);
    const bodies = await Promise.all(
      Array.from(
        { length: 100 },
        async () => responseOf(await app(request({ headers: { cookie } }))).body,
      ),
    );
    assert.deepEqual((await read())!.n, 100);
    // Each request saw its own increment: the answers are 1 to 100, once each.
    assert.deepEqual(
      bodies.map(Number).sort((x, y) => x - y),
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
  });

  it('writes once: the response returning the updated session writes nothing more', async () => {
    const inner = memoryStore();
    const { cookie } = await seeded(inner, { n: 0 });
    const calls: string[] = [];
    const store: SessionStore = {
      read: (key) => inner.read(key),
      write: (...args) => (calls.push('write'), inner.write(...args)),
      touch: (key) => (calls.push('touch'), inner.touch(key)),
      delete: (key) => inner.delete(key),
      update: (...args) => (calls.push('update'), inner.update!(...args)),
    };
    const app = wrapSession({ store })(counter);
    const response = responseOf(await app(request({ headers: { cookie } })));
    assert.equal(response.body, '1');
    assert.deepEqual(calls, ['update']);
  });

  it('a request without a session gets change({}), which its response stores as a new one', async () => {
    const store = memoryStore();
    const app = wrapSession({ store })(counter);
    const response = await app(request());
    assert.equal(responseOf(response).body, '1');
    const cookie = cookieFrom(response, 'session')!;
    assert.equal(responseOf(await app(request({ headers: { cookie } }))).body, '2');
  });

  it('with the cookie store, the response stores it (not atomic, as documented)', async () => {
    const app = wrapSession({ store: cookieStore({ secrets: [secret] }) })(counter);
    let cookie = cookieFrom(await app(request()), 'session')!;
    const response = await app(request({ headers: { cookie } }));
    assert.equal(responseOf(response).body, '2');
    cookie = cookieFrom(response, 'session')!;
    assert.equal(responseOf(await app(request({ headers: { cookie } }))).body, '3');
  });

  it('Q-02: a session ended while the request ran stays ended', async () => {
    const store = memoryStore();
    const { cookie, read } = await seeded(store, { n: 5 });
    const app = wrapSession({ store })(async (req) => {
      await store.delete(req.sessionKey!); // a logout in another tab, meanwhile
      return counter(req);
    });
    const response = await app(request({ headers: { cookie } }));
    assert.equal(responseOf(response).body, '1');
    assert.equal(cookieFrom(response, 'session'), undefined);
    assert.equal(await read(), undefined);
  });

  it('a store that fails under it gives onStoreError’s response, and the failure is logged', async () => {
    const inner = memoryStore();
    const { cookie } = await seeded(inner, { n: 0 });
    const store: SessionStore = {
      ...inner,
      read: (key) => inner.read(key),
      update: () => Promise.reject(new Error('connection reset')),
    };
    const logger = new RecordingLogger();
    const app = wrapSession({ store, logger })(counter);
    const response = responseOf(await app(request({ headers: { cookie } })));
    assert.equal(response.status, 503);
    assert.match(logger.errors.join('\n'), /failed to write/);
  });

  it('an error change throws is the application’s, not a store failure: it reaches the host as it is', async () => {
    const store = memoryStore();
    const { cookie, read } = await seeded(store, { n: 0 });
    const logger = new RecordingLogger();
    const mine = new RangeError('out of stock');
    const app = wrapSession({ store, logger })(async (req) => {
      await updateSession(req, () => {
        throw mine;
      });
      return { status: 200 };
    });
    await assert.rejects(
      async () => app(request({ headers: { cookie } })),
      (error: unknown) => error === mine,
    );
    assert.deepEqual(logger.errors, []);
    assert.deepEqual(await read(), { n: 0 });
  });

  it('a change that returns a promise is refused, and the stored session is left as it was', async () => {
    const store = memoryStore();
    const { cookie, read } = await seeded(store, { n: 0, user: 'alice' });
    const app = wrapSession({ store })(async (req) => {
      const change = async (s: SessionData) => ({ ...s, n: 1 }); // a JavaScript caller's mistake
      await updateSession(req, change as unknown as (s: SessionData) => SessionData);
      return { status: 200 };
    });
    await assert.rejects(async () => app(request({ headers: { cookie } })), TypeError);
    assert.deepEqual(await read(), { n: 0, user: 'alice' });
  });

  it('without wrapSession: missing_middleware, naming the fix', async () => {
    await assert.rejects(
      updateSession(request(), (s) => s),
      (error: unknown) =>
        error instanceof SessionkitError &&
        error.code === 'missing_middleware' &&
        /wrapSession/.test(error.message),
    );
  });
});

describe('the example application: 32 concurrent requests with one cookie lose nothing', () => {
  const redis = startRedis();
  after(async () => (await redis).stop());
  const stores: [string, () => Promise<Record<string, string>>][] = [
    ['memory', async () => ({ SESSION_STORE: 'memory' })],
    ['redis', async () => ({ SESSION_STORE: 'redis', REDIS_URL: (await redis).url })],
  ];
  for (const [name, envOf] of stores) {
    describe(`SESSION_STORE=${name}`, () => {
      let app: ExampleProcess;
      const started = envOf().then(async (env) => (app = await startExample(env)));
      after(async () => (await started, app.stop()));

      async function signedIn(): Promise<Client> {
        await started;
        const client = new Client((path, init) => fetch(app.url + path, init));
        assert.equal((await client.get('/session/put?k=seed&v=1')).status, 200);
        return client;
      }

      it('GET /session/put of 32 different keys at once: all 32 land', async () => {
        const client = await signedIn();
        const answers = await Promise.all(
          Array.from({ length: 32 }, (_, i) => client.get(`/session/put?k=k${i}&v=${i}`)),
        );
        assert.ok(answers.every((r) => r.status === 200));
        const session = (await (await client.get('/session')).json()) as Record<string, string>;
        for (let i = 0; i < 32; i++) assert.equal(session[`k${i}`], String(i), `k${i}`);
        assert.equal(session.seed, '1');
      });

      it('GET /count 32 times at once: the count is 32 and each answer is distinct', async () => {
        const client = await signedIn();
        const answers = await Promise.all(
          Array.from({ length: 32 }, async () => (await client.get('/count')).text()),
        );
        assert.deepEqual(
          answers.map(Number).sort((x, y) => x - y),
          Array.from({ length: 32 }, (_, i) => i + 1),
        );
        assert.equal(await (await client.get('/count')).text(), '33');
      });
    });
  }
});
