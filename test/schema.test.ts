// Issue 14 §3: validated, typed sessions. `wrapSession({ schema })` with real Standard Schema
// validators (zod, valibot, arktype): stored data the schema refuses is no session unless
// `migrate` mends it (V-01, V-02), data written that it refuses is refused before anything is
// stored, naming the path (V-03), on the memory, cookie and Redis stores and in the example
// application.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { type } from 'arktype';
import { Redis } from 'ioredis';
import * as v from 'valibot';
import { z } from 'zod';
import { SessionkitError } from '../src/core/errors.ts';
import type { StandardSchemaV1 } from '../src/core/standard-schema.ts';
import type { Handler, SessionData } from '../src/core/types.ts';
import { middlewareKeys, paths } from '../src/session/schema.ts';
import type { SessionMigration } from '../src/session/schema.ts';
import type { SessionStore } from '../src/session/store.ts';
import { updateSession, wrapSession } from '../src/session/wrap-session.ts';
import { compose } from '../src/core/compose.ts';
import { wrapCookies } from '../src/cookies/wrap-cookies.ts';
import { wrapCsrf } from '../src/csrf/wrap-csrf.ts';
import { toFetchHandler } from '../src/hosts/fetch/fetch-host.ts';
import { wrapFlash } from '../src/session/flash.ts';
import { flashKey } from '../src/session/flash.ts';
import { csrfKey, ringTokenKey } from '../src/csrf/wrap-csrf.ts';
import { cookieStore } from '../src/stores/cookie/cookie-store.ts';
import { memoryStore } from '../src/stores/memory/memory-store.ts';
import { redisStore } from '../src/stores/redis/redis-store.ts';
import { sessionCookieName, sessionOptions } from '../examples/shared/env.ts';
import { Client } from './support/client.ts';
import { startExample } from './support/example-process.ts';
import type { ExampleProcess } from './support/example-process.ts';
import { cookieFrom, RecordingLogger, request, responseOf } from './support/fakes.ts';
import { startRedis } from './support/redis.ts';

const secret = randomBytes(32).toString('base64url');

/** The same session shape in three validator libraries: a user name and a cart of ids. */
const schemas: [string, StandardSchemaV1<unknown, SessionData>][] = [
  ['zod', z.object({ user: z.string().optional(), cart: z.array(z.number().int()).optional() })],
  [
    'valibot',
    v.object({
      user: v.optional(v.string()),
      cart: v.optional(v.array(v.pipe(v.number(), v.integer()))),
    }),
  ],
  ['arktype', type({ 'user?': 'string', 'cart?': 'number.integer[]' })],
];

/** What the handler saw: the session and its key. */
const echo: Handler = (req) => ({
  status: 200,
  body: JSON.stringify({ session: req.session, key: req.sessionKey ?? null }),
});

function seen(result: Awaited<ReturnType<Handler>>): { session: SessionData; key: string | null } {
  return JSON.parse(String(responseOf(result).body)) as { session: SessionData; key: null };
}

/** A store holding one session; its cookie and a reader of what the store holds now. */
async function seeded(store: SessionStore, data: SessionData, name = 'session') {
  const key = (await store.write(undefined, data))!;
  return { key, cookie: `${name}=${key}`, read: async () => (await store.read(key))?.data };
}

/** Rejects with `invalid_session`, naming `path`, and without the refused value. */
function refused(path: string, value: string) {
  return (error: unknown) =>
    error instanceof SessionkitError &&
    error.code === 'invalid_session' &&
    error.message.includes(`at ${path}`) &&
    !error.message.includes(value);
}

for (const [library, schema] of schemas) {
  describe(`schema from ${library}`, () => {
    it('V-01: a stored session the schema accepts is the session', async () => {
      const store = memoryStore();
      const { cookie, key } = await seeded(store, { user: 'ada', cart: [1, 2] });
      const app = wrapSession({ store, schema })(echo);
      assert.deepEqual(seen(await app(request({ headers: { cookie } }))), {
        session: { user: 'ada', cart: [1, 2] },
        key,
      });
    });

    it('V-01: a stored session the schema refuses is no session, with one warning naming the path', async () => {
      const store = memoryStore();
      const { cookie } = await seeded(store, { user: 'ada', cart: [1, 'secret-value'] });
      const logger = new RecordingLogger();
      const app = wrapSession({ store, schema, logger })(echo);
      assert.deepEqual(seen(await app(request({ headers: { cookie } }))), {
        session: {},
        key: null,
      });
      await app(request({ headers: { cookie } }));
      assert.equal(logger.warnings.length, 1);
      assert.match(logger.warnings[0]!, /does not match the schema, at cart\[1\]/);
      assert.doesNotMatch(logger.warnings.join('\n') + logger.debugs.join('\n'), /secret-value/);
    });

    it('V-03: a session written that the schema refuses throws invalid_session, and nothing is stored', async () => {
      const store = memoryStore();
      const { cookie, read } = await seeded(store, { user: 'ada' });
      const app = wrapSession({ store, schema })(() => ({
        status: 200,
        session: { user: 'ada', cart: [1, 'secret-value'] },
      }));
      await assert.rejects(
        Promise.resolve(app(request({ headers: { cookie } }))),
        refused('cart[1]', 'secret-value'),
      );
      assert.deepEqual(await read(), { user: 'ada' });
    });

    it('V-03: updateSession refuses a result the schema refuses, and stores nothing', async () => {
      const store = memoryStore();
      const { cookie, read } = await seeded(store, { user: 'ada' });
      const app = wrapSession({ store, schema })(async (req) => {
        const session = await updateSession(req, (s) => ({ ...s, user: 42 }));
        return { status: 200, session };
      });
      await assert.rejects(
        Promise.resolve(app(request({ headers: { cookie } }))),
        refused('user', '42'),
      );
      assert.deepEqual(await read(), { user: 'ada' });
    });
  });
}

describe('V-02: migrate', () => {
  const schema = z.object({ visits: z.number().optional(), user: z.string().optional() });
  const migrate: SessionMigration = (data) =>
    typeof data.visits === 'string' ? { ...data, visits: Number(data.visits) } : undefined;

  it('mends a refused session, gets the issues, and the response writes it back', async () => {
    const store = memoryStore();
    const { cookie, read, key } = await seeded(store, { visits: '3', user: 'ada' });
    const issues: unknown[] = [];
    const app = wrapSession({
      store,
      schema,
      migrate: (data, found) => (issues.push(...found), migrate(data, found)),
    })(echo);
    assert.deepEqual(seen(await app(request({ headers: { cookie } }))), {
      session: { visits: 3, user: 'ada' },
      key,
    });
    assert.equal(issues.length, 1);
    assert.deepEqual(await read(), { visits: 3, user: 'ada' });
  });

  it('the cookie store: the mended session is sealed into a new cookie', async () => {
    const store = cookieStore({ secrets: [secret] });
    const { cookie } = await seeded(store, { visits: '5' });
    const app = wrapSession({ store, schema, migrate })(echo);
    const response = await app(request({ headers: { cookie } }));
    assert.deepEqual(seen(response).session, { visits: 5 });
    const next = cookieFrom(response, 'session');
    assert.ok(next !== undefined && next !== cookie);
    assert.deepEqual(seen(await app(request({ headers: { cookie: next } }))).session, {
      visits: 5,
    });
  });

  it('undefined, or a result still refused, is no session', async () => {
    const store = memoryStore();
    const none = await seeded(store, { visits: true });
    const still = await seeded(store, { visits: 'many' }); // Number('many') is NaN: still a number
    const wrong = await seeded(store, { visits: '2', user: 7 });
    const logger = new RecordingLogger();
    const app = wrapSession({ store, schema, migrate, logger })(echo);
    assert.equal(seen(await app(request({ headers: { cookie: none.cookie } }))).key, null);
    assert.equal(seen(await app(request({ headers: { cookie: wrong.cookie } }))).key, null);
    // NaN passes z.number()? zod 4 refuses NaN: no session either.
    assert.equal(seen(await app(request({ headers: { cookie: still.cookie } }))).key, null);
    assert.deepEqual(await wrong.read(), { visits: '2', user: 7 }); // nothing written
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0]!, /at visits; .*migrate did not mend it/);
  });

  it('a result that is not an object is a programming error (invalid_session)', async () => {
    const store = memoryStore();
    const { cookie } = await seeded(store, { visits: 'x' });
    const app = wrapSession({
      store,
      schema,
      migrate: () => 'nope' as unknown as SessionData,
    })(echo);
    await assert.rejects(
      Promise.resolve(app(request({ headers: { cookie } }))),
      (error: unknown) =>
        error instanceof SessionkitError &&
        error.code === 'invalid_session' &&
        /migrate returned "nope"/.test(error.message),
    );
  });
});

describe('the schema and sessionkit’s own keys', () => {
  it('a strict schema never sees the flash or the CSRF secrets, which stay in the session', async () => {
    const schema = z.strictObject({ user: z.string().optional() });
    const store = memoryStore();
    const data = {
      user: 'ada',
      [flashKey]: 'saved',
      [csrfKey]: 'c',
      [ringTokenKey]: 'r',
    };
    const { cookie, read } = await seeded(store, data);
    const app = wrapSession({ store, schema })((req) => ({
      status: 200,
      body: JSON.stringify(req.session),
      session: { ...req.session, user: 'grace' },
    }));
    const response = responseOf(await app(request({ headers: { cookie } })));
    assert.deepEqual(JSON.parse(String(response.body)), data);
    assert.deepEqual(await read(), { ...data, user: 'grace' });
  });

  it('the list of middleware keys is the flash and CSRF keys', () => {
    assert.deepEqual([...middlewareKeys].sort(), [flashKey, csrfKey, ringTokenKey].sort());
  });

  it('the request gets the schema’s output (defaults applied), the store keeps what was written', async () => {
    const schema = z.object({ theme: z.enum(['dark', 'light']).default('light') });
    const store = memoryStore();
    const { cookie, read } = await seeded(store, {});
    const untyped: StandardSchemaV1<unknown, SessionData> = schema; // for `echo`, of any session
    const app = wrapSession({ store, schema: untyped })(echo);
    assert.deepEqual(seen(await app(request({ headers: { cookie } }))).session, {
      theme: 'light',
    });
    assert.deepEqual(await read(), {});
  });
});

describe('V-05: a schema with required fields and sessions that hold no application data yet', () => {
  // A signed-in session: the user is required. (Untyped here, to compose with the other
  // middleware's default session type.)
  const schema: StandardSchemaV1<unknown, SessionData> = z.object({ user: z.string() });
  const routes: Handler = (req) => {
    if (req.path === '/form') return { status: 200, body: String(req.csrfToken) };
    if (req.path === '/login') {
      return { status: 200, body: 'in', session: { user: 'ada' }, regenerateSession: true };
    }
    if (req.path === '/logout') return { status: 200, body: 'out', session: null, flash: 'bye' };
    return { status: 200, body: JSON.stringify({ user: req.session?.user, flash: req.flash }) };
  };

  it('a visitor’s form (a session holding only the CSRF secret) posts, and a logout’s flash shows', async () => {
    const store = memoryStore();
    const app = toFetchHandler(
      compose(wrapCookies(), wrapSession({ store, schema }), wrapFlash(), wrapCsrf())(routes),
    );
    const browser = new Client((path, init) => app(new Request(`http://localhost${path}`, init)));
    const token = await browser.text('/form');
    const login = await browser.post('/login', { '__anti-forgery-token': token });
    assert.equal(login.status, 200, 'the CSRF secret of the anonymous session was kept');
    assert.deepEqual(await browser.json('/me'), { user: 'ada' });
    const logout = await browser.post('/logout', {
      '__anti-forgery-token': await browser.text('/form'),
    });
    assert.equal(logout.status, 200, 'a new session of only the flash is written');
    assert.deepEqual(await browser.json('/me'), { flash: 'bye' });
  });

  it('a stored session with application data the schema refuses is still no session', async () => {
    const store = memoryStore();
    const { cookie } = await seeded(store, { theme: 'dark' }); // no user
    const app = wrapSession({ store, schema, logger: new RecordingLogger() })(echo);
    assert.equal(seen(await app(request({ headers: { cookie } }))).key, null);
  });
});

describe('V-04: concurrent writes whose merge the schema refuses', () => {
  it('the handler’s whole session is written, not a mix the schema refuses', async () => {
    // At most one of `guest` and `user`: each write is valid, their merge is not.
    const schema = z
      .object({ guest: z.string().optional(), user: z.string().optional() })
      .refine((s) => s.guest === undefined || s.user === undefined);
    const store = memoryStore();
    const { cookie, read } = await seeded(store, {});
    let open!: () => void;
    const held = new Promise<void>((resolve) => (open = resolve));
    const app = wrapSession({ store, schema })(async (req) => {
      const as = req.query.get('as')!;
      if (as === 'user') await held; // reads before the guest write, writes after it
      return { status: 200, session: { [as]: 'x' } };
    });
    const late = app(request({ path: '/?as=user', headers: { cookie } }));
    await app(request({ path: '/?as=guest', headers: { cookie } }));
    open();
    await late;
    assert.deepEqual(await read(), { user: 'x' });
  });
});

describe('schema options', () => {
  const store = memoryStore();
  const invalid = (pattern: RegExp) => (error: unknown) =>
    error instanceof SessionkitError &&
    error.code === 'invalid_option' &&
    pattern.test(error.message);

  it('a schema that is not a Standard Schema is refused at start, saying what works', () => {
    for (const schema of [{}, { parse: () => ({}) }, 'z.object()', null]) {
      assert.throws(
        () =>
          wrapSession({
            store,
            schema: schema as unknown as StandardSchemaV1<unknown, SessionData>,
          }),
        invalid(/option schema is invalid: .*expected a Standard Schema v1 validator/),
      );
    }
  });

  it('migrate without a schema, or not a function, is refused at start', () => {
    assert.throws(
      () => wrapSession({ store, migrate: () => undefined }),
      invalid(/option migrate is invalid: .*set schema too/),
    );
    assert.throws(
      () =>
        wrapSession({ store, schema: z.object({}), migrate: 'yes' as unknown as SessionMigration }),
      invalid(/option migrate is invalid/),
    );
  });

  it('a schema that validates asynchronously is refused on its first use, saying why', async () => {
    const schema = z.object({ user: z.string().optional() }).refine(async () => true);
    const { cookie } = await seeded(store, { user: 'ada' });
    const app = wrapSession({ store, schema })(echo);
    await assert.rejects(
      Promise.resolve(app(request({ headers: { cookie } }))),
      invalid(/validated asynchronously/),
    );
  });

  it('paths: nested keys, indexes, odd names, the root, and at most five', () => {
    assert.equal(
      paths([
        { message: 'm', path: ['cart', 0, { key: 'id' }] },
        { message: 'm', path: ['a-b'] },
        { message: 'm' },
      ]),
      'cart[0].id, ["a-b"], (root)',
    );
    const many = Array.from({ length: 7 }, (_, i) => ({ message: 'm', path: [`k${i}`] }));
    assert.equal(paths(many), 'k0, k1, k2, k3, k4 and 2 more');
  });
});

describe('on a real Redis', () => {
  const redis = startRedis();
  const client = redis.then(async (server) => {
    const redisClient = new Redis(server.port, '127.0.0.1', {
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    await redisClient.connect();
    return redisClient;
  });
  after(async () => {
    (await client).disconnect();
    await (await redis).stop();
  });
  const schema = z.object({ user: z.string().optional(), n: z.number().int().optional() });

  it('refused on read, refused on write (nothing stored), updateSession validated', async () => {
    const store = redisStore({ client: await client, prefix: 'schema:' });
    const bad = await seeded(store, { user: 1 });
    const good = await seeded(store, { user: 'ada', n: 0 });
    const app = wrapSession({ store, schema, logger: new RecordingLogger() })(async (req) => {
      // A plain-JavaScript caller, or data cast past the type: the schema still refuses it.
      const n = 'x' as unknown as number;
      if (req.path === '/bad') return { status: 200, session: { ...req.session, n } };
      const session = await updateSession(req, (s) => ({ ...s, n: (s.n ?? 0) + 1 }));
      return { status: 200, body: JSON.stringify(session), session };
    });
    assert.equal(
      responseOf(await app(request({ path: '/count', headers: { cookie: bad.cookie } }))).body,
      '{"n":1}', // no session: a new one, not the refused one
    );
    assert.deepEqual(await bad.read(), { user: 1 });
    await assert.rejects(
      Promise.resolve(app(request({ path: '/bad', headers: { cookie: good.cookie } }))),
      refused('n', '"x"'),
    );
    const counts = await Promise.all(
      Array.from({ length: 20 }, async () =>
        responseOf(await app(request({ path: '/count', headers: { cookie: good.cookie } }))),
      ),
    );
    assert.ok(counts.every((response) => response.status === 200));
    assert.deepEqual(await good.read(), { user: 'ada', n: 20 });
  });
});

describe('the example application’s schema', () => {
  const redis = startRedis();
  after(async () => (await redis).stop());
  const base = { COOKIE_SECRET: secret, SESSION_AUDIENCE: 'schema-test' };
  const cases: [string, () => Promise<Record<string, string>>][] = [
    ['cookie', async () => ({ ...base })],
    ['redis', async () => ({ ...base, SESSION_STORE: 'redis', REDIS_URL: (await redis).url })],
  ];
  for (const [name, envOf] of cases) {
    describe(`SESSION_STORE=${name}`, () => {
      let app: ExampleProcess;
      let store: SessionStore;
      let cookieName: string;
      let redisClient: Redis | undefined;
      const started = envOf().then(async (env) => {
        app = await startExample(env);
        if (name === 'redis') {
          redisClient = new Redis((await redis).port, '127.0.0.1', {
            enableOfflineQueue: false,
            lazyConnect: true,
          });
          await redisClient.connect();
          store = redisStore({ client: redisClient });
          cookieName = 'session';
        } else {
          const options = sessionOptions(env);
          store = options.store;
          cookieName = sessionCookieName(options);
        }
      });
      after(async () => {
        await started;
        redisClient?.disconnect();
        await app.stop();
      });

      /** A client holding a session this test wrote straight into the store. */
      async function holding(data: SessionData): Promise<Client> {
        await started;
        const key = (await store.write(undefined, data))!;
        const client = new Client((path, init) => fetch(app.url + path, init));
        client.jar.set(cookieName, key);
        return client;
      }

      it('a counter an older version stored as a string is migrated: /count goes on from it', async () => {
        const client = await holding({ user: 'ada', count: '7' });
        assert.equal(await (await client.get('/count')).text(), '8');
        assert.deepEqual(await (await client.get('/session')).json(), { user: 'ada', count: 8 });
      });

      it('a session the schema refuses opens as no session', async () => {
        const client = await holding({ user: 42 });
        assert.deepEqual(await (await client.get('/session')).json(), {});
        // The warning reaches the pipe a moment after the answer: wait for it, 5 s at most.
        for (let i = 0; i < 100 && !/does not match the schema/.test(app.stderr()); i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.match(app.stderr(), /does not match the schema, at user/);
      });

      it('/session/put refuses the keys the schema types (400), and nothing 5xx', async () => {
        await started;
        const client = new Client((path, init) => fetch(app.url + path, init));
        for (const k of ['user', 'count']) {
          const response = await client.get(`/session/put?k=${k}&v=x`);
          assert.equal(response.status, 400);
          assert.match(await response.text(), new RegExp(`k may not be ${k}`));
        }
      });
    });
  }
});
