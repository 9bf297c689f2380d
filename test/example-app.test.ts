// The example application, served for real on 127.0.0.1, behaves exactly as the README lists.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../examples/app/app.ts';
import { serve } from '../src/node.ts';
import type { Server } from '../src/node.ts';
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

/** A client that keeps cookies like a browser (enough for one host). */
class Client {
  jar = new Map<string, string>();
  async get(path: string, init: RequestInit = {}): Promise<globalThis.Response> {
    const headers = new Headers(init.headers);
    if (this.jar.size > 0)
      headers.set('cookie', [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(server.url + path, { redirect: 'manual', ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split('; ');
      const [name, value] = [
        pair!.slice(0, pair!.indexOf('=')),
        pair!.slice(pair!.indexOf('=') + 1),
      ];
      if (attrs.includes('Max-Age=0')) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return response;
  }
  async text(path: string): Promise<string> {
    return (await this.get(path)).text();
  }
  async json(path: string): Promise<unknown> {
    return (await this.get(path)).json();
  }
}

describe('example application', () => {
  it('GET / explains and links the routes', async () => {
    const response = await new Client().get('/');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/html/);
    const body = await response.text();
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

  it('GET /login/:id sets the user; /session shows it; /remove takes it out; /logout clears the session', async () => {
    const client = new Client();
    const login = await client.get('/login/alice');
    assert.equal(login.status, 200);
    assert.match(login.headers.get('content-type')!, /^text\/plain/);
    assert.equal(await login.text(), 'User set to: alice');
    assert.deepEqual(await client.json('/session'), { user: 'alice' });

    const remove = await client.get('/remove');
    assert.equal(await remove.text(), 'User removed');
    assert.deepEqual(await client.json('/session'), {});

    await client.get('/login/bob');
    const logout = await client.get('/logout');
    assert.equal(logout.status, 200);
    assert.equal(await logout.text(), 'Session cleared');
    assert.equal(logout.headers.get('cache-control'), 'no-store');
    assert.match(logout.headers.getSetCookie()[0]!, /^session=; Path=\/; Max-Age=0/);
    assert.deepEqual(await client.json('/session'), {});
  });

  it('the session cookie has Kit attributes', async () => {
    const line = (await new Client().get('/login/alice')).headers.getSetCookie()[0]!;
    assert.match(line, /^session=v2\.[^;]+; Path=\/; Max-Age=86400; HttpOnly; SameSite=Strict$/);
  });

  it('GET /flash/set redirects with 303 and /flash/show shows the flash once', async () => {
    const client = new Client();
    const set = await client.get('/flash/set?msg=hello%20world');
    assert.equal(set.status, 303);
    assert.equal(set.headers.get('location'), '/flash/show');
    assert.deepEqual(await client.json('/flash/show'), { flash: 'hello world' });
    assert.deepEqual(await client.json('/flash/show'), { flash: null });
  });

  it('GET /cookies shows the request cookies in Ring shape', async () => {
    const client = new Client();
    await client.get('/cookies/set');
    assert.deepEqual(await client.json('/cookies'), { theme: { value: 'dark' } });
  });

  it('the form flow: POST /form with the page token answers Form OK, without it 403', async () => {
    const client = new Client();
    const page = await client.text('/form');
    const token = /name="__anti-forgery-token" value="([^"]+)"/.exec(page)?.[1];
    assert.ok(token);
    const post = (body: string) =>
      client.get('/form', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const ok = await post(`__anti-forgery-token=${encodeURIComponent(token)}&message=hi`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'Form OK');
    const refused = await post('message=hi');
    assert.equal(refused.status, 403);
    assert.equal(await refused.text(), 'Invalid anti-forgery token');
    const forged = await post('__anti-forgery-token=' + 'A'.repeat(86));
    assert.equal(forged.status, 403);
  });

  it('accepts the token from a multipart form too', async () => {
    const client = new Client();
    const page = await client.text('/form');
    const token = /name="__anti-forgery-token" value="([^"]+)"/.exec(page)![1]!;
    const body = new FormData();
    body.set('__anti-forgery-token', token);
    body.set('upload', new Blob(['file content']), 'note.txt');
    const ok = await client.get('/form', { method: 'POST', body });
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'Form OK');
  });

  it('answers HEAD like GET without a body, and takes long ids', async () => {
    const client = new Client();
    const head = await client.get('/', { method: 'HEAD' });
    assert.equal(head.status, 200);
    const id = 'x'.repeat(300);
    assert.equal(await client.text(`/login/${id}`), `User set to: ${id}`);
  });

  it('refuses a flash too long for the cookie with 400, not 500', async () => {
    const response = await new Client().get(`/flash/set?msg=${'x'.repeat(3000)}`);
    assert.equal(response.status, 400);
  });

  it('answers 404 for an unknown route', async () => {
    assert.equal((await new Client().get('/nope')).status, 404);
  });
});
