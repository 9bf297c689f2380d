// sessionMiddleware on Hono as a plain Fetch app (app.request), no server: the scenario
// suite runs it on @hono/node-server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { Client, formToken } from '../../../test/support/client.ts';
import { RecordingLogger, RecordingStore } from '../../../test/support/fakes.ts';
import { SessionkitError } from '../../core/errors.ts';
import { csrfInput } from '../../csrf/wrap-csrf.ts';
import { memoryStore } from '../../stores/memory/memory-store.ts';
import type { SessionOptions } from '../../session/wrap-session.ts';
import { sessionMiddleware } from './hono-host.ts';
import type { HonoSessionOptions, SessionVariables } from './hono-host.ts';

function setup(
  options: Omit<HonoSessionOptions, 'session'> & { session?: Partial<SessionOptions> } = {},
) {
  const store = new RecordingStore(memoryStore());
  const logger = new RecordingLogger();
  const errors: unknown[] = [];
  const app = new Hono<{ Variables: SessionVariables }>();
  app.use(sessionMiddleware({ ...options, session: { store, logger, ...options.session } }));
  app.onError((error, c) => {
    errors.push(error);
    return c.text('handled by Hono', 500);
  });
  const client = () => new Client((path, init) => Promise.resolve(app.request(path, init)));
  return { app, store, logger, errors, client };
}

void describe('sessionMiddleware (hono)', () => {
  void it('saves changes made through c.get("session"), and regenerates on request', async () => {
    const { app, client, store } = setup();
    app.get('/session', (c) => c.json(c.get('session')));
    app.get('/set', (c) => {
      c.get('session').user = 'alice';
      return c.text('set');
    });
    app.get('/login', (c) => {
      c.get('session').role = 'admin';
      c.get('session').regenerate();
      return c.text('login');
    });
    const browser = client();
    store.calls.length = 0;
    const anonymous = await browser.get('/session');
    assert.deepEqual(anonymous.headers.getSetCookie(), [], 'L-12: nothing changed, no cookie');
    assert.deepEqual(store.calls, []);
    await browser.get('/set');
    const before = browser.cookie('session');
    await browser.get('/login');
    assert.notEqual(browser.cookie('session'), before);
    assert.deepEqual(await browser.json('/session'), { user: 'alice', role: 'admin' });
  });

  void it('F-01: c.set("nextFlash") is c.get("flash") on the next request only, also after a redirect', async () => {
    const { app, client } = setup();
    app.get('/flash/set', (c) => {
      c.set('nextFlash', 'saved');
      return c.redirect('/flash/show', 303);
    });
    app.get('/flash/show', (c) => c.json({ flash: c.get('flash') ?? null }));
    const browser = client();
    assert.equal((await browser.get('/flash/set')).status, 303);
    assert.deepEqual(await browser.json('/flash/show'), { flash: 'saved' });
    assert.deepEqual(await browser.json('/flash/show'), { flash: null });
  });

  void it('adds the cookie to a response with immutable headers (Response.redirect)', async () => {
    const { app, client } = setup();
    app.get('/', (c) => {
      c.get('session').n = 1;
      return Response.redirect('http://localhost/next', 302);
    });
    const response = await client().get('/');
    assert.equal(response.status, 302);
    assert.equal(response.headers.getSetCookie().length, 1);
  });

  void it('X-01: reads the form token, and leaves the body in Hono’s cache for parseBody', async () => {
    const { app, client } = setup();
    app.get('/form', (c) => c.html(`<form>${csrfInput(c.var)}</form>`));
    app.post('/form', async (c) => {
      const body = await c.req.parseBody();
      return c.text(`Form OK: ${String(body.message)}`);
    });
    const browser = client();
    const token = formToken(await browser.text('/form'));
    const ok = await browser.post('/form', { '__anti-forgery-token': token, message: 'hi' });
    assert.equal(await ok.text(), 'Form OK: hi');
    assert.equal((await browser.post('/form', { message: 'hi' })).status, 403);
  });

  void it('refuses a form body over bodyLimitBytes with 413, as the node host does', async () => {
    const { app, client } = setup({ bodyLimitBytes: 100 });
    app.post('/', (c) => c.text('no'));
    const response = await client().post('/', { big: 'x'.repeat(200) });
    assert.equal(response.status, 413);
    assert.equal(await response.text(), 'Payload Too Large');
  });

  void it('a throwing handler goes to app.onError and saves nothing', async () => {
    const { app, client, errors, store } = setup();
    app.get('/', (c) => {
      c.get('session').half = 'done';
      throw new Error('boom');
    });
    store.calls.length = 0;
    const response = await client().get('/');
    assert.equal(await response.text(), 'handled by Hono');
    assert.deepEqual(response.headers.getSetCookie(), []);
    assert.deepEqual(store.calls, []);
    assert.equal((errors[0] as Error).message, 'boom');
  });

  void it("a store that cannot write answers onStoreError's 503 without the handler's headers", async () => {
    const { app, client, store } = setup();
    app.get('/', (c) => {
      c.get('session').n = 1;
      c.header('x-from-handler', '1');
      return c.text('not this');
    });
    store.fail.write = new Error('down');
    const response = await client().get('/');
    assert.equal(response.status, 503);
    assert.equal(await response.text(), 'Service Unavailable');
    assert.equal(response.headers.get('x-from-handler'), null);
    assert.deepEqual(response.headers.getSetCookie(), []);
  });

  void it('takes the scheme from X-Forwarded-Proto only with trustProxy', async () => {
    for (const trustProxy of [false, true]) {
      const { app, client } = setup({ trustProxy, session: { secure: 'auto' } });
      app.get('/', (c) => {
        c.get('session').n = 1;
        return c.text('ok');
      });
      const response = await client().get('/', { headers: { 'x-forwarded-proto': 'https' } });
      const line = response.headers.getSetCookie()[0]!;
      assert.equal(/; Secure/.test(line), trustProxy, line);
    }
  });

  void it('refuses unknown and invalid options', () => {
    const store = memoryStore();
    for (const [options, message] of [
      [{ session: { store }, bodyLimit: 1 }, /option bodyLimit is invalid: .*unknown option/],
      [{ session: { store }, bodyLimitBytes: -1 }, /option bodyLimitBytes is invalid/],
      [{ session: { store }, trustProxy: 1 }, /option trustProxy is invalid/],
    ] as const) {
      assert.throws(
        () => sessionMiddleware(options as unknown as HonoSessionOptions),
        (error: unknown) => error instanceof SessionkitError && message.test(error.message),
      );
    }
  });
});
