// The anti-forgery secret lives in the session but handlers never see it (as in Ring-style
// handlers, where wrapCsrf takes it out of request.session): in the framework adapters too,
// `req.session` holds the application's keys only, and the secret survives the writes.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { sessionMiddleware as expressSession } from '../src/hosts/express/express-host.ts';
import { sessionPlugin } from '../src/hosts/fastify/fastify-host.ts';
import { sessionMiddleware as honoSession } from '../src/hosts/hono/hono-host.ts';
import type { SessionVariables } from '../src/hosts/hono/hono-host.ts';
import { memoryStore } from '../src/stores/memory/memory-store.ts';
import { Client } from './support/client.ts';
import { RecordingLogger } from './support/fakes.ts';

/** The walk every adapter must pass: a form's token, a write, the keys seen, a POST. */
async function walk(client: Client): Promise<void> {
  const token = await client.text('/form'); // makes the secret
  assert.deepEqual(await client.json('/keys'), [], 'the secret is not among the keys');
  await client.get('/put'); // a write of the session keeps the secret
  assert.deepEqual(await client.json('/keys'), ['theme']);
  const posted = await client.post('/post', { '__anti-forgery-token': token });
  assert.equal(posted.status, 200, 'the token still matches the kept secret');
}

describe('the CSRF secret is hidden from req.session in the adapters', () => {
  it('Express', async () => {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(expressSession({ session: { store: memoryStore(), logger: new RecordingLogger() } }));
    app.get('/form', (_req, res) => res.send(res.locals.csrfToken()));
    app.get('/keys', (req, res) => res.json(Object.keys(req.session)));
    app.get('/put', (req, res) => {
      req.session.theme = 'dark';
      res.send('put');
    });
    app.post('/post', (_req, res) => res.send('posted'));
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    try {
      const { port } = server.address() as AddressInfo;
      await walk(new Client((path, init) => fetch(`http://127.0.0.1:${port}${path}`, init)));
    } finally {
      server.close();
    }
  });

  it('Fastify', async () => {
    const app = Fastify();
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    await app.register(sessionPlugin, {
      session: { store: memoryStore(), logger: new RecordingLogger() },
    });
    app.get('/form', (request) => request.csrfToken());
    app.get('/keys', (request) => Object.keys(request.session));
    app.get('/put', (request) => {
      request.session.theme = 'dark';
      return 'put';
    });
    app.post('/post', () => 'posted');
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as AddressInfo;
      await walk(new Client((path, init) => fetch(`http://127.0.0.1:${port}${path}`, init)));
    } finally {
      await app.close();
    }
  });

  it('Hono', async () => {
    const app = new Hono<{ Variables: SessionVariables }>();
    app.use(honoSession({ session: { store: memoryStore(), logger: new RecordingLogger() } }));
    app.get('/form', (c) => c.text(c.get('csrfToken')()));
    app.get('/keys', (c) => c.json(Object.keys(c.get('session'))));
    app.get('/put', (c) => {
      c.get('session').theme = 'dark';
      return c.text('put');
    });
    app.post('/post', (c) => c.text('posted'));
    await walk(new Client(async (path, init) => app.request(path, init)));
  });
});
