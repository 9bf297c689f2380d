// Hostile requests against a real node:http server running the full middleware stack.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compose } from '../src/core/compose.ts';
import { cookieStore } from '../src/stores/cookie/cookie-store.ts';
import { wrapCsrf } from '../src/csrf/wrap-csrf.ts';
import { wrapFlash } from '../src/session/flash.ts';
import { wrapSession } from '../src/session/wrap-session.ts';
import { wrapCookies } from '../src/cookies/wrap-cookies.ts';
import { serve } from '../src/node.ts';
import type { Server } from '../src/node.ts';
import { RecordingLogger } from './support/fakes.ts';

let server: Server;
let handled = 0;

before(async () => {
  const store = cookieStore({ secrets: ['Http-Kq9Lw2Zr7Tn5Vb1Hm8Jd3Gs6Fc0PaXy'] });
  const app = compose(
    wrapCookies(),
    wrapSession({ store, logger: new RecordingLogger() }),
    wrapFlash(),
    wrapCsrf(),
  )((request) => {
    handled++;
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        session: request.session,
        cookies: Object.keys(request.cookies ?? {}).length,
      }),
      ...(request.path === '/login' ? { session: { user: 'alice' } } : {}),
    };
  });
  server = await serve(app, { port: 0, hostname: '127.0.0.1', logger: new RecordingLogger() });
});
after(() => server.close());

async function get(path: string, cookie: string): Promise<globalThis.Response> {
  return fetch(server.url + path, { headers: { cookie } });
}

describe('hostile requests over HTTP', () => {
  it('P-15: a Cookie header over 16 KiB gets 431 from Node and the middleware never runs', async () => {
    handled = 0;
    const response = await get('/', `a=${'x'.repeat(17 * 1024)}`);
    assert.equal(response.status, 431);
    assert.equal(handled, 0);
  });

  it('P-15: a Cookie header just under the limit parses', async () => {
    const pairs = Array.from({ length: 150 }, (_, i) => `c${i}=${'v'.repeat(90)}`).join('; ');
    assert.ok(pairs.length < 15 * 1024);
    const response = await get('/', pairs);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { cookies: number }).cookies, 150);
  });

  it('Z-03: an oversized session cookie is ignored: a fresh session, no 5xx', async () => {
    const response = await get('/', `session=v1.${'A'.repeat(5000)}`);
    assert.equal(response.status, 200);
    assert.deepEqual(((await response.json()) as { session: unknown }).session, {});
  });

  it('C-02: a tampered session cookie reads as a fresh session, never a 5xx', async () => {
    const login = await get('/login', '');
    const value = login.headers.getSetCookie()[0]!.split(';')[0]!.slice('session='.length);
    for (const i of [0, 3, 12, 40, value.length - 1]) {
      const tampered = value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1);
      const response = await get('/', `session=${tampered}`);
      assert.equal(response.status, 200);
      assert.deepEqual(((await response.json()) as { session: unknown }).session, {});
    }
    const genuine = await get('/', `session=${value}`);
    assert.deepEqual(((await genuine.json()) as { session: unknown }).session, { user: 'alice' });
  });

  it('P-12: empty and degenerate Cookie headers give an anonymous session and no Set-Cookie', async () => {
    for (const header of ['', ';;;', '=', ' ', 'session', 'session=;session=""']) {
      const response = await get('/', header);
      assert.equal(response.status, 200, JSON.stringify(header));
      assert.deepEqual(response.headers.getSetCookie(), []);
    }
  });
});
