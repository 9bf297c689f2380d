// The flash and the anti-forgery secret live in the session but belong to sessionkit: handlers,
// `updateSession`'s change and `migrate` never see them, and whatever those return, they are
// kept as stored. And a framework hook's change to the session is not undone when the CSRF
// check hides the secret (Fastify checks in preHandler, after its other hooks).
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { wrapDefaults } from '../src/config/wrap.ts';
import type { StandardSchemaV1 } from '../src/core/standard-schema.ts';
import type { Handler, SessionData } from '../src/core/types.ts';
import { sessionPlugin } from '../src/hosts/fastify/fastify-host.ts';
import { updateSession, wrapSession } from '../src/session/wrap-session.ts';
import { memoryStore } from '../src/stores/memory/memory-store.ts';
import type { MemoryEntry } from '../src/stores/memory/memory-store.ts';
import { Client } from './support/client.ts';
import type { Fetch } from './support/client.ts';
import { cookieFrom, RecordingLogger, request, responseOf } from './support/fakes.ts';
import { inProcess } from './support/in-process.ts';

/** A Fastify app on the memory store, set up by `setup`, driven by `run` over a socket. */
async function fastify(
  setup: (app: FastifyInstance) => void,
  run: (client: Client) => Promise<void>,
): Promise<void> {
  const app = Fastify();
  await app.register(sessionPlugin, {
    session: { store: memoryStore(), logger: new RecordingLogger() },
  });
  setup(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const { port } = app.server.address() as AddressInfo;
    await run(new Client((path, init) => fetch(`http://127.0.0.1:${port}${path}`, init)));
  } finally {
    await app.close();
  }
}

describe('a hook’s change survives the CSRF check (Fastify)', () => {
  it('a key a preValidation hook sets is the handler’s and is saved', async () => {
    await fastify(
      (app) => {
        app.addHook('preValidation', async (req) => {
          if (req.url === '/mark') req.session.seen = 'yes';
        });
        app.get('/mark', (req) => Object.keys(req.session));
        app.get('/keys', (req) => Object.keys(req.session));
      },
      async (client) => {
        assert.deepEqual(await client.json('/mark'), ['seen']);
        assert.deepEqual(await client.json('/keys'), ['seen']);
      },
    );
  });

  it('a nested value a hook changes in place is saved', async () => {
    await fastify(
      (app) => {
        app.get('/form', (req) => req.csrfToken());
        app.get('/put', (req) => {
          req.session.cart = ['a'];
          return 'ok';
        });
        app.addHook('preValidation', async (req) => {
          if (req.url === '/push') (req.session.cart as string[]).push('b');
        });
        app.get('/push', () => 'ok');
        app.get('/cart', (req) => req.session.cart ?? null);
      },
      async (client) => {
        await client.text('/form'); // a CSRF secret in the session
        await client.text('/put');
        await client.text('/push');
        assert.deepEqual(await client.json('/cart'), ['a', 'b']);
      },
    );
  });
});

describe('session.update() and updateSession on a store with update', () => {
  it('change never sees the CSRF secret, and the secret is kept', async () => {
    let seen: string[] = [];
    await fastify(
      (app) => {
        app.get('/form', (req) => req.csrfToken());
        app.get('/put', (req) => {
          req.session.theme = 'dark';
          return 'ok';
        });
        app.get('/update', async (req) => {
          await req.session.update((s) => {
            seen = Object.keys(s);
            return { ...s, n: 1 };
          });
          return Object.keys(req.session);
        });
        app.post('/post', () => 'posted');
      },
      async (client) => {
        const token = await client.text('/form');
        await client.text('/put');
        assert.deepEqual(await client.json('/update'), ['theme', 'n']);
        assert.deepEqual(seen, ['theme']);
        const posted = await client.send('POST', '/post', { headers: { 'x-csrf-token': token } });
        assert.equal(posted.status, 200);
      },
    );
  });

  it('a change that builds a fresh session keeps the secret, even when the handler then throws', async () => {
    await fastify(
      (app) => {
        app.get('/form', (req) => req.csrfToken());
        app.get('/boom', async (req) => {
          await req.session.update(() => ({ n: 1 }));
          throw new Error('the handler failed after the update');
        });
        app.post('/post', () => 'posted');
      },
      async (client) => {
        const token = await client.text('/form');
        assert.equal((await client.request('/boom')).status, 500);
        const posted = await client.send('POST', '/post', { headers: { 'x-csrf-token': token } });
        assert.equal(posted.status, 200, 'the stored secret was not dropped');
      },
    );
  });

  it('V-01: data the schema refuses, stored meanwhile by another writer, never reaches change', async () => {
    const map = new Map<string, MemoryEntry>();
    const store = memoryStore({ map });
    const schema = z.object({ user: z.number().optional(), visits: z.number().optional() });
    const untyped: StandardSchemaV1<unknown, SessionData> = schema;
    const seen: unknown[] = [];
    const app = wrapSession({ store, schema: untyped, logger: new RecordingLogger() })(async (
      req,
    ) => {
      if (req.path === '/login') return { status: 200, session: { user: 1 } };
      // An older release on the same store writes data this schema refuses.
      for (const [key, entry] of map) map.set(key, { ...entry, json: '{"user":"one"}' });
      const next = await updateSession(req, (s) => {
        seen.push(s.user);
        return { ...s, visits: 1 };
      });
      return { status: 200, session: next };
    });
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    const visit = responseOf(await app(request({ path: '/visit', headers: { cookie } })));
    assert.equal(visit.status, 200);
    assert.ok(!seen.includes('one'), `change saw ${JSON.stringify(seen)}`);
  });
});

describe('V-02: migrate and the middleware keys', () => {
  it('a migrate that builds a fresh object keeps the CSRF secret', async () => {
    const store = memoryStore();
    const logger = new RecordingLogger();
    const routes: Handler = (req) => {
      if (req.path === '/login') {
        return { status: 200, body: String(req.csrfToken), session: { ...req.session, user: '7' } };
      }
      if (req.path === '/who') return { status: 200, body: JSON.stringify(req.session) };
      return { status: 200, body: 'posted' };
    };
    const schema: StandardSchemaV1<unknown, SessionData> = z.object({ user: z.number() });
    const before = wrapDefaults({ session: { store, logger } })(routes);
    const after = wrapDefaults({
      session: { store, logger, schema, migrate: (d) => ({ user: Number(d.user) }) },
    })(routes);
    let current: Fetch = inProcess(before);
    const client = new Client((path, init) => current(path, init));
    const token = await client.text('/login');
    current = inProcess(after); // the release with the schema
    assert.equal(await client.text('/who'), '{"user":7}');
    const posted = await client.send('POST', '/post', { headers: { 'x-csrf-token': token } });
    assert.equal(posted.status, 200);
  });
});
