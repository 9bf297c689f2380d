// The example application, served for real on 127.0.0.1: what is particular to it (the
// flows every host shares are in test/scenarios/).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../examples/app/app.ts';
import { serve } from '../src/node.ts';
import type { Server } from '../src/node.ts';
import { Client, formToken } from './support/client.ts';
import { RecordingLogger } from './support/fakes.ts';

let server: Server;

before(async () => {
  const app = createApp(
    { COOKIE_SECRET: 'Ex4mple-Kq9Lw2Zr7Tn5Vb1Hm8Jd3Gs6Fc0Pa' },
    { logger: new RecordingLogger() },
  );
  server = await serve(app, { port: 0, hostname: '127.0.0.1', logger: new RecordingLogger() });
});
after(() => server.close());

const browse = () => new Client((path, init) => fetch(server.url + path, init));

describe('example application', () => {
  it('GET / explains and links the routes, and posts to the sign-in route', async () => {
    const response = await browse().get('/');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/html/);
    const body = await response.text();
    // POST /logout is offered once signed in: see the scenario suite.
    for (const action of ['/login']) assert.ok(body.includes(`action="${action}"`), action);
    for (const link of [
      '/login/alice',
      '/remove',
      '/logout',
      '/session',
      '/flash/set',
      '/cookies',
      '/form',
    ]) {
      assert.ok(body.includes(`href="${link}`), link);
    }
  });

  it('the session cookie has Kit attributes', async () => {
    const line = (await browse().get('/login/alice')).headers.getSetCookie()[0]!;
    assert.match(line, /^session=v2\.[^;]+; Path=\/; Max-Age=86400; HttpOnly; SameSite=Lax$/);
  });

  it('GET /cookies shows the request cookies in Ring shape', async () => {
    const client = browse();
    await client.get('/cookies/set');
    assert.deepEqual(await client.json('/cookies'), { theme: { value: 'dark' } });
  });

  it('accepts the token from a multipart form too', async () => {
    const client = browse();
    const page = await client.text('/form');
    const token = formToken(page);
    const body = new FormData();
    body.set('__anti-forgery-token', token);
    body.set('upload', new Blob(['file content']), 'note.txt');
    const ok = await client.request('/form', { method: 'POST', body });
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'Form OK');
  });

  it('answers HEAD like GET without a body, and takes long ids', async () => {
    const client = browse();
    const head = await client.request('/', { method: 'HEAD' });
    assert.equal(head.status, 200);
    const id = 'x'.repeat(300);
    assert.equal(await client.text(`/login/${id}`), `User set to: ${id}`);
  });

  it('refuses a flash too long for the cookie with 400, not 500', async () => {
    const response = await browse().get(`/flash/set?msg=${'x'.repeat(3000)}`);
    assert.equal(response.status, 400);
  });

  it('L-07: GET /logout revokes the session: a cookie copied before it opens no more (REVOCATION_STORE=memory, the default)', async () => {
    const client = browse();
    await client.get('/login/alice');
    const copied = client.cookie('session')!;
    assert.equal(await client.text('/logout'), 'Session cleared');
    const replay = await fetch(`${server.url}/session`, {
      headers: { cookie: `session=${copied}` },
    });
    assert.deepEqual(await replay.json(), {});
  });

  it('answers 404 for an unknown route', async () => {
    assert.equal((await browse().get('/nope')).status, 404);
  });
});
