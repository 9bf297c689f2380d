// R-04 in the framework adapters: a store that fails inside `req.session.update()` (the
// handler's own await, not the adapter's read or write) is answered 503 with Retry-After by
// Express's, Fastify's and Hono's default error handling, and logged; never a 500.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { SessionUnavailableError } from '../src/hosts/adapter.ts';
import { sessionMiddleware as expressSession } from '../src/hosts/express/express-host.ts';
import { sessionPlugin } from '../src/hosts/fastify/fastify-host.ts';
import { sessionMiddleware as honoSession } from '../src/hosts/hono/hono-host.ts';
import type { SessionVariables } from '../src/hosts/hono/hono-host.ts';
import type { SessionStore } from '../src/session/store.ts';
import { memoryStore } from '../src/stores/memory/memory-store.ts';
import { RecordingLogger } from './support/fakes.ts';

/** A memory store holding one session, whose update fails as a lost connection would. */
async function failing(): Promise<{ store: SessionStore; cookie: string }> {
  const inner = memoryStore();
  const key = (await inner.write(undefined, { n: 1 }))!;
  const store: SessionStore = {
    ...inner,
    read: (k) => inner.read(k),
    update: () => Promise.reject(new Error('connection reset')),
  };
  return { store, cookie: `session=${key}` };
}

const increment = (s: Record<string, unknown>) => ({ ...s, n: Number(s.n) + 1 });

function assertUnavailable(status: number, retryAfter: string | null, logger: RecordingLogger) {
  assert.equal(status, 503);
  assert.equal(retryAfter, '5');
  assert.match(logger.errors.join('\n'), /the session store failed to write/);
}

describe('req.session.update() when the store fails: 503, not 500', () => {
  it('Express', async () => {
    const { store, cookie } = await failing();
    const logger = new RecordingLogger();
    const app = express();
    app.use(expressSession({ session: { store, logger } }));
    app.get('/count', async (req, res) => {
      await req.session.update(increment);
      res.send('counted');
    });
    app.set('env', 'test'); // finalhandler then logs nothing of its own
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/count`, { headers: { cookie } });
      assertUnavailable(response.status, response.headers.get('retry-after'), logger);
    } finally {
      server.close();
    }
  });

  it('Fastify', async () => {
    const { store, cookie } = await failing();
    const logger = new RecordingLogger();
    const app = Fastify();
    await app.register(sessionPlugin, { session: { store, logger } });
    app.get('/count', async (request) => {
      await request.session.update(increment);
      return 'counted';
    });
    const response = await app.inject({ method: 'GET', url: '/count', headers: { cookie } });
    assertUnavailable(response.statusCode, String(response.headers['retry-after']), logger);
    await app.close();
  });

  it('Hono', async () => {
    const { store, cookie } = await failing();
    const logger = new RecordingLogger();
    const app = new Hono<{ Variables: SessionVariables }>();
    app.use(honoSession({ session: { store, logger } }));
    app.get('/count', async (c) => {
      await c.get('session').update(increment);
      return c.text('counted');
    });
    const response = await app.request('/count', { headers: { cookie } });
    assertUnavailable(response.status, response.headers.get('retry-after'), logger);
  });

  it('a custom error handler can tell it by statusCode, or by class', async () => {
    const { store, cookie } = await failing();
    const app = Fastify();
    await app.register(sessionPlugin, { session: { store, logger: new RecordingLogger() } });
    app.setErrorHandler((error, _request, reply) =>
      reply
        .code(error instanceof SessionUnavailableError ? error.statusCode : 500)
        .send('try again soon'),
    );
    app.get('/count', async (request) => {
      await request.session.update(increment);
      return 'counted';
    });
    const response = await app.inject({ method: 'GET', url: '/count', headers: { cookie } });
    assert.equal(response.statusCode, 503);
    assert.equal(response.body, 'try again soon');
    await app.close();
  });
});
