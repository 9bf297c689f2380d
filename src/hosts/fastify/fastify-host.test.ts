// sessionPlugin on Fastify through inject (no socket; the scenario suite runs it on one).
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { Client } from '../../../test/support/client.ts';
import { RecordingLogger, RecordingStore } from '../../../test/support/fakes.ts';
import { SessionkitError } from '../../core/errors.ts';
import { memoryStore } from '../../stores/memory/memory-store.ts';
import type { SessionOptions } from '../../session/wrap-session.ts';
import { sessionPlugin } from './fastify-host.ts';
import type { FastifySessionOptions } from './fastify-host.ts';

async function setup(
  routes: (app: FastifyInstance) => void,
  options: { session?: Partial<SessionOptions>; csrf?: FastifySessionOptions['csrf'] } = {},
) {
  const store = new RecordingStore(memoryStore());
  const logger = new RecordingLogger();
  const errors: unknown[] = [];
  const app = Fastify();
  await app.register(sessionPlugin, {
    ...options,
    session: { store, logger, ...options.session },
  });
  routes(app);
  app.setErrorHandler((error, _request, reply) => {
    errors.push(error);
    return reply.code(500).send('handled by Fastify');
  });
  await app.ready();
  const client = () =>
    new Client(async (path, init = {}) => {
      const headers = Object.fromEntries(new Headers(init.headers));
      const response = await app.inject({
        method: (init.method ?? 'GET') as 'GET',
        url: path,
        headers,
        ...(typeof init.body === 'string' ? { payload: init.body } : {}),
      });
      const out = new Headers();
      for (const [name, value] of Object.entries(response.headers)) {
        for (const line of Array.isArray(value) ? value : [String(value)]) out.append(name, line);
      }
      return new Response(response.statusCode === 204 ? null : response.rawPayload, {
        status: response.statusCode,
        headers: out,
      });
    });
  return { app, store, logger, errors, client };
}

void describe('sessionPlugin (fastify)', () => {
  void it('loads in onRequest, saves in onSend: in place, regenerate, destroy', async () => {
    let seenInHook: unknown;
    const { app, client, store } = await setup((app) => {
      app.addHook('onRequest', async (request) => {
        seenInHook = request.session?.user;
      });
      app.get('/session', (request, reply) => reply.send(request.session));
      app.get('/set', (request) => {
        request.session.user = 'alice';
        return 'set';
      });
      app.get('/login', (request) => {
        request.session.regenerate();
        return 'login';
      });
      app.get('/logout', (request) => {
        request.session.destroy();
        return 'bye';
      });
    });
    try {
      const browser = client();
      store.calls.length = 0;
      assert.deepEqual((await browser.get('/session')).headers.getSetCookie(), []);
      assert.deepEqual(store.calls, [], 'L-12: no write for an unchanged session');
      await browser.get('/set');
      await browser.get('/session');
      assert.equal(seenInHook, 'alice', "a later plugin's onRequest hook sees the session");
      const before = browser.cookie('session');
      await browser.get('/login');
      assert.notEqual(browser.cookie('session'), before);
      assert.deepEqual(await browser.json('/session'), { user: 'alice' });
      const logout = await browser.get('/logout');
      assert.match(logout.headers.getSetCookie().join('\n'), /^session=; .*Max-Age=0/m);
      assert.deepEqual(await browser.json('/session'), {});
    } finally {
      await app.close();
    }
  });

  void it('F-01: reply.flash() is request.flash on the next request only', async () => {
    const { app, client } = await setup((app) => {
      app.get('/flash/set', (_request, reply) => {
        reply.flash('saved');
        return reply.redirect('/flash/show', 303);
      });
      app.get('/flash/show', (request) => ({ flash: request.flash ?? null }));
    });
    try {
      const browser = client();
      await browser.get('/flash/set');
      assert.deepEqual(await browser.json('/flash/show'), { flash: 'saved' });
      assert.deepEqual(await browser.json('/flash/show'), { flash: null });
    } finally {
      await app.close();
    }
  });

  void it('saves before a streamed reply is written', async () => {
    const { app, client } = await setup((app) => {
      app.get('/stream', (request, reply) => {
        request.session.n = 1;
        return reply.type('text/plain').send(Readable.from(['a', 'b', 'c']));
      });
    });
    try {
      const response = await client().get('/stream');
      assert.equal(await response.text(), 'abc');
      assert.equal(response.headers.getSetCookie().length, 1);
    } finally {
      await app.close();
    }
  });

  void it('X-02: request.csrfToken() in X-CSRF-Token passes; a post without a token is 403', async () => {
    const { app, client } = await setup((app) => {
      app.get('/token', (request) => request.csrfToken());
      app.post('/', () => 'ok');
    });
    try {
      const browser = client();
      const token = await browser.text('/token');
      assert.equal(
        (await browser.send('POST', '/', { headers: { 'x-csrf-token': token } })).status,
        200,
      );
      const refused = await browser.send('POST', '/');
      assert.equal(refused.status, 403);
      assert.equal(await refused.text(), 'Invalid anti-forgery token');
    } finally {
      await app.close();
    }
  });

  void it("a throwing handler goes to Fastify's error handler and saves nothing", async () => {
    const { app, client, errors, store } = await setup((app) => {
      app.get('/', (request) => {
        request.session.half = 'done';
        throw new Error('boom');
      });
    });
    try {
      store.calls.length = 0;
      const response = await client().get('/');
      assert.equal(await response.text(), 'handled by Fastify');
      assert.deepEqual(response.headers.getSetCookie(), []);
      assert.deepEqual(store.calls, []);
      assert.equal((errors[0] as Error).message, 'boom');
    } finally {
      await app.close();
    }
  });

  void it("a store that cannot write answers onStoreError's 503 without the handler's headers", async () => {
    const { app, client, store } = await setup((app) => {
      app.get('/', (request, reply) => {
        request.session.n = 1;
        return reply.header('x-from-handler', '1').send('not this');
      });
    });
    try {
      store.fail.write = new Error('down');
      const response = await client().get('/');
      assert.equal(response.status, 503);
      assert.equal(await response.text(), 'Service Unavailable');
      assert.equal(response.headers.get('x-from-handler'), null);
    } finally {
      await app.close();
    }
  });

  void it('refuses unknown options and a request.cookies already decorated, at register', async () => {
    const unknown = Fastify();
    await assert.rejects(
      async () => {
        await unknown.register(sessionPlugin, {
          session: { store: memoryStore() },
          store: 1,
        } as never);
      },
      (error: unknown) =>
        error instanceof SessionkitError &&
        /option store is invalid: .*unknown option/.test(error.message),
    );
    const both = Fastify();
    await both.register(fastifyCookie);
    await assert.rejects(
      async () => {
        await both.register(sessionPlugin, { session: { store: memoryStore() } });
      },
      (error: unknown) =>
        error instanceof SessionkitError &&
        /request\.cookies is already decorated/.test(error.message),
    );
  });
});
