// sessionMiddleware on a real Express 5 server over a socket: the idiom, and the commit held
// until the session is saved, whatever sends the headers.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import type { ErrorRequestHandler, Express, Request, Response } from 'express';
import { Client, formToken } from '../../../test/support/client.ts';
import { RecordingLogger, RecordingStore } from '../../../test/support/fakes.ts';
import { SessionkitError } from '../../core/errors.ts';
import type { SessionData } from '../../core/types.ts';
import type { SessionStore, StoredSession } from '../../session/store.ts';
import type { SessionOptions } from '../../session/wrap-session.ts';
import { cookieStore } from '../../stores/cookie/cookie-store.ts';
import { memoryStore } from '../../stores/memory/memory-store.ts';
import { sessionMiddleware } from './express-host.ts';
import type { ExpressSessionOptions } from './express-host.ts';

const secret = 'Express-Kq9Lw2Zr7Tn5Vb1Hm8Jd3Gs6Fc0PaXy';

/** A store whose writes wait until the test releases them: an asynchronous store, under control. */
class GatedStore implements SessionStore {
  readonly inner: SessionStore;
  #held: (() => void)[] = [];
  #waiting: (() => void)[] = [];
  closed = true;
  constructor(inner: SessionStore) {
    this.inner = inner;
  }
  read(key: string): Promise<StoredSession | undefined> {
    return this.inner.read(key);
  }
  async write(key: string | undefined, data: SessionData, createdAt?: number) {
    if (this.closed) {
      await new Promise<void>((resolve) => {
        this.#held.push(resolve);
        for (const notify of this.#waiting.splice(0)) notify();
      });
    }
    return this.inner.write(key, data, createdAt);
  }
  touch(key: string) {
    return this.inner.touch(key);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
  /** Resolves once a write is waiting. */
  writing(): Promise<void> {
    if (this.#held.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    for (const resolve of this.#held.splice(0)) resolve();
  }
}

interface Running {
  url: string;
  client: () => Client;
  logger: RecordingLogger;
  /** What reached Express's error handling. */
  errors: unknown[];
  close: () => Promise<void>;
}

async function start(
  routes: (app: Express) => void,
  options: { session?: Partial<SessionOptions>; csrf?: ExpressSessionOptions['csrf'] } = {},
  prepare: (app: Express) => void = (app) => app.use(express.urlencoded({ extended: false })),
): Promise<Running> {
  const logger = new RecordingLogger();
  const errors: unknown[] = [];
  const app = express();
  prepare(app);
  app.use(
    sessionMiddleware({
      ...options,
      session: { store: memoryStore(), logger, ...options.session },
    }),
  );
  routes(app);
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    errors.push(error);
    res.status(500).type('text').send('handled by Express');
  };
  app.use(onError);
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    client: () => new Client((path, init) => fetch(url + path, init)),
    logger,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const show = (req: Request, res: Response) => res.json(req.session);

void describe('sessionMiddleware (express): the session in Express idiom', () => {
  let app: Running;
  const store = new RecordingStore(memoryStore());
  before(async () => {
    app = await start(
      (app) => {
        app.get('/session', show);
        app.get('/set', (req, res) => {
          req.session.user = 'alice';
          req.session.cart = { items: ['apple'] };
          res.send('set');
        });
        app.get('/nested', (req, res) => {
          (req.session.cart as { items: string[] }).items.push('pear');
          res.send('pushed');
        });
        app.get('/delete', (req, res) => {
          delete req.session.user;
          res.send('deleted');
        });
        app.get('/login', (req, res) => {
          req.session.user = 'bob';
          req.session.regenerate();
          res.send('login');
        });
        app.get('/logout', (req, res) => {
          req.session.destroy();
          res.send('bye');
        });
        app.get('/logout-with-notice', (req, res) => {
          req.session.destroy();
          req.session.notice = 'logged out';
          res.send('bye');
        });
        app.get('/replace', (req, res) => {
          (req as { session: unknown }).session = { fresh: true };
          res.send('replaced');
        });
        app.get('/flash/set', (_req, res) => {
          res.flash('saved');
          res.redirect(303, '/flash/show');
        });
        app.get('/flash/show', (req, res) => res.json({ flash: req.flash ?? null }));
        app.get('/cookies', (req, res) => res.json(req.cookies));
      },
      { session: { store } },
    );
  });
  after(() => app.close());

  void it('L-12: a request that changes nothing gets no cookie and no store write', async () => {
    store.calls.length = 0;
    const response = await app.client().get('/session');
    assert.deepEqual(await response.json(), {});
    assert.deepEqual(response.headers.getSetCookie(), []);
    assert.deepEqual(store.calls, []);
  });

  void it('saves changes made in place: set, nested, delete', async () => {
    const browser = app.client();
    await browser.get('/set');
    assert.deepEqual(await browser.json('/session'), {
      user: 'alice',
      cart: { items: ['apple'] },
    });
    await browser.get('/nested');
    assert.deepEqual(await browser.json('/session'), {
      user: 'alice',
      cart: { items: ['apple', 'pear'] },
    });
    await browser.get('/delete');
    assert.deepEqual(await browser.json('/session'), { cart: { items: ['apple', 'pear'] } });
  });

  void it('L-04: regenerate() keeps the data under a new key and drops the old one', async () => {
    const browser = app.client();
    await browser.get('/set');
    const before = browser.cookie('session')!;
    await browser.get('/login');
    assert.notEqual(browser.cookie('session'), before);
    assert.deepEqual(await browser.json('/session'), { user: 'bob', cart: { items: ['apple'] } });
    const old = app.client();
    old.jar.set('session', before);
    assert.deepEqual(await old.json('/session'), {});
  });

  void it('L-06, L-15: destroy() deletes the session and expires its cookie; data set after it starts a new one', async () => {
    const browser = app.client();
    await browser.get('/set');
    const key = browser.cookie('session')!;
    const logout = await browser.get('/logout');
    assert.match(logout.headers.getSetCookie().join('\n'), /^session=; .*Max-Age=0/m);
    assert.equal(logout.headers.get('cache-control'), 'no-store');
    assert.equal(browser.cookie('session'), undefined);
    const replay = app.client();
    replay.jar.set('session', key);
    assert.deepEqual(await replay.json('/session'), {}, 'the old session is gone from the store');

    await browser.get('/set');
    const before = browser.cookie('session')!;
    await browser.get('/logout-with-notice');
    assert.notEqual(browser.cookie('session'), before);
    assert.deepEqual(await browser.json('/session'), { notice: 'logged out' });
  });

  void it('L-06: update() after destroy() changes the emptied session, never the stored one', async () => {
    const updating = await start((app) => {
      app.get('/login', (req, res) => {
        req.session.user = 'alice';
        res.send('in');
      });
      app.get('/logout', async (req, res) => {
        req.session.destroy();
        await req.session.update((s) => ({ ...s, notice: 'logged out' }));
        res.send('bye');
      });
      app.get('/session', show);
    });
    try {
      const browser = updating.client();
      await browser.get('/login');
      const key = browser.cookie('session')!;
      await browser.get('/logout');
      assert.notEqual(browser.cookie('session'), key);
      assert.deepEqual(await browser.json('/session'), { notice: 'logged out' });
      const replay = updating.client();
      replay.jar.set('session', key);
      assert.deepEqual(await replay.json('/session'), {}, 'the old session is gone');
    } finally {
      await updating.close();
    }
  });

  void it('takes a session replaced by assignment', async () => {
    const browser = app.client();
    await browser.get('/replace');
    assert.deepEqual(await browser.json('/session'), { fresh: true });
  });

  void it('F-01: res.flash() is req.flash on the next request only', async () => {
    const browser = app.client();
    const set = await browser.get('/flash/set');
    assert.equal(set.status, 303);
    assert.deepEqual(await browser.json('/flash/show'), { flash: 'saved' });
    assert.deepEqual(await browser.json('/flash/show'), { flash: null });
  });

  void it("gives req.cookies in Ring's shape", async () => {
    const browser = app.client();
    browser.jar.set('theme', 'dark');
    assert.deepEqual(await browser.json('/cookies'), { theme: { value: 'dark' } });
  });
});

void describe('sessionMiddleware (express): saved before the headers go out', () => {
  let app: Running;
  const store = new GatedStore(memoryStore());
  // An on-headers style wrapper installed before the middleware, as compression does.
  const stamp = (app: Express) => {
    app.use(express.urlencoded({ extended: false }));
    app.use((_req, res, next) => {
      const writeHead = res.writeHead;
      res.writeHead = function (this: Response, ...args: unknown[]) {
        this.setHeader('x-stamped', 'yes');
        return (writeHead as (...a: unknown[]) => Response).apply(this, args);
      } as typeof res.writeHead;
      next();
    });
  };
  before(async () => {
    app = await start(
      (app) => {
        app.get('/send', (req, res) => {
          req.session.n = 1;
          res.send('sent');
        });
        app.get('/redirect', (req, res) => {
          req.session.n = 2;
          res.redirect(303, '/send');
        });
        app.get('/stream', (req, res) => {
          req.session.n = 3;
          res.write('a');
          res.write('b');
          res.end('c');
        });
        app.get('/pipe', (req, res) => {
          req.session.n = 4;
          const chunk = Buffer.alloc(64 * 1024, 'x');
          Readable.from(Array.from({ length: 32 }, () => chunk)).pipe(res);
        });
        app.get('/end', (req, res) => {
          req.session.n = 5;
          res.statusCode = 204;
          res.end();
        });
        app.get('/write-head', (req, res) => {
          req.session.n = 6;
          res.writeHead(201, 'Made', { 'set-cookie': 'mine=1', 'content-type': 'text/plain' });
          res.end('made');
        });
      },
      { session: { store } },
      stamp,
    );
  });
  after(() => app.close());

  /** Requests `path` with the store held, checks nothing arrives, then releases it. */
  async function held(path: string): Promise<globalThis.Response> {
    store.closed = true;
    let arrived = false;
    const pending = app
      .client()
      .get(path)
      .then((response) => ((arrived = true), response));
    await store.writing();
    // A socket round trip for a response that would come if the headers were not held.
    await fetch(`${app.url}/nope`).then((r) => r.text());
    assert.equal(arrived, false, `${path}: the response waited for the store`);
    store.closed = false;
    store.release();
    return pending;
  }

  void it('holds res.send until an asynchronous store has saved', async () => {
    const response = await held('/send');
    assert.equal(await response.text(), 'sent');
    assert.equal(response.headers.getSetCookie().length, 1);
    assert.equal(
      response.headers.get('x-stamped'),
      'yes',
      'the wrapper installed before still runs',
    );
  });

  void it('saves on a redirect, a streamed body, a pipe with backpressure, and an early res.end', async () => {
    const redirect = await held('/redirect');
    assert.equal(redirect.status, 303);
    assert.equal(redirect.headers.getSetCookie().length, 1);
    const stream = await held('/stream');
    assert.equal(await stream.text(), 'abc');
    assert.equal(stream.headers.getSetCookie().length, 1);
    const piped = await held('/pipe');
    assert.equal((await piped.arrayBuffer()).byteLength, 32 * 64 * 1024);
    assert.equal(piped.headers.getSetCookie().length, 1);
    const ended = await held('/end');
    assert.equal(ended.status, 204);
    assert.equal(ended.headers.getSetCookie().length, 1);
  });

  void it('keeps the Set-Cookie of an explicit writeHead beside the session cookie', async () => {
    const response = await held('/write-head');
    assert.equal(response.status, 201);
    assert.equal(response.statusText, 'Made');
    const cookies = response.headers.getSetCookie();
    assert.equal(cookies.length, 2);
    assert.equal(cookies[0], 'mine=1');
    assert.match(cookies[1]!, /^session=/);
  });

  void it('never answers "headers already sent"', () => {
    assert.deepEqual(app.errors, []);
    assert.deepEqual(app.logger.errors, []);
  });
});

void describe('sessionMiddleware (express): CSRF', () => {
  let app: Running;
  let bare: Running;
  const routes = (app: Express) => {
    app.get('/form', (_req, res) =>
      res.type('html').send(`<form>${res.locals.csrfInput()}</form>`),
    );
    app.get('/token', (req, res) => res.send(req.csrfToken()));
    app.post('/form', (_req, res) => res.send('Form OK'));
  };
  before(async () => {
    app = await start(routes);
    bare = await start(routes, {}, () => undefined);
  });
  after(() => Promise.all([app.close(), bare.close()]));

  void it('X-01: a form posted with the token from res.locals is accepted; without it, 403', async () => {
    const browser = app.client();
    const token = formToken(await browser.text('/form'));
    const ok = await browser.post('/form', { '__anti-forgery-token': token });
    assert.equal(await ok.text(), 'Form OK');
    const refused = await browser.post('/form', {});
    assert.equal(refused.status, 403);
    assert.equal(await refused.text(), 'Invalid anti-forgery token');
  });

  void it('X-02: accepts req.csrfToken() in X-CSRF-Token without a body parser', async () => {
    const browser = bare.client();
    const token = await browser.text('/token');
    const ok = await browser.send('POST', '/form', { headers: { 'x-csrf-token': token } });
    assert.equal(ok.status, 200);
  });

  void it('warns once when a form is posted before any body parser ran', async () => {
    const browser = bare.client();
    const token = formToken(await browser.text('/form'));
    for (let i = 0; i < 2; i++) {
      const refused = await browser.post('/form', { '__anti-forgery-token': token });
      assert.equal(refused.status, 403);
    }
    const warnings = bare.logger.warnings.filter((w) => w.includes('express.urlencoded()'));
    assert.equal(warnings.length, 1);
  });
});

void describe('sessionMiddleware (express): failures', () => {
  void it('a store that cannot read answers 503 without calling the handler', async () => {
    const store = new RecordingStore(memoryStore());
    let called = 0;
    const app = await start(
      (app) =>
        app.get('/', (_req, res) => {
          called++;
          res.send('no');
        }),
      { session: { store } },
    );
    try {
      store.fail.read = new Error('down');
      const browser = app.client();
      browser.jar.set('session', 'some-key');
      const response = await browser.get('/');
      assert.equal(response.status, 503);
      assert.equal(await response.text(), 'Service Unavailable');
      assert.equal(called, 0);
    } finally {
      await app.close();
    }
  });

  void it("a store that cannot write replaces the handler's response with onStoreError's", async () => {
    const store = new RecordingStore(memoryStore());
    const app = await start(
      (app) =>
        app.get('/', (req, res) => {
          req.session.n = 1;
          res.set('x-from-handler', '1').cookie('mine', '1').send('not this');
        }),
      {
        session: {
          store,
          onStoreError: () => ({ status: 503, headers: { 'x-replaced': '1' }, body: 'try later' }),
        },
      },
    );
    try {
      store.fail.write = new Error('down');
      const response = await app.client().get('/');
      assert.equal(response.status, 503);
      assert.equal(await response.text(), 'try later');
      assert.equal(response.headers.get('x-replaced'), '1');
      assert.equal(response.headers.get('x-from-handler'), null);
      assert.deepEqual(response.headers.getSetCookie(), []);
      assert.equal(app.logger.errors.length, 1);
    } finally {
      await app.close();
    }
  });

  void it("a throwing handler and a failed save go to Express's error handling", async () => {
    const app = await start(
      (app) => {
        app.get('/throws', () => {
          throw new Error('boom');
        });
        app.get('/too-big', (req, res) => {
          req.session.notes = 'x'.repeat(5000);
          res.send('not sent');
        });
      },
      { session: { store: cookieStore({ secrets: [secret] }) } },
    );
    try {
      const thrown = await app.client().get('/throws');
      assert.equal(await thrown.text(), 'handled by Express');
      const tooBig = await app.client().get('/too-big');
      assert.equal(tooBig.status, 500);
      assert.equal(await tooBig.text(), 'handled by Express');
      assert.deepEqual(tooBig.headers.getSetCookie(), []);
      assert.equal((app.errors[0] as Error).message, 'boom');
      const error = app.errors[1];
      assert.ok(error instanceof SessionkitError && error.code === 'cookie_too_large');
    } finally {
      await app.close();
    }
  });

  void it('refuses unknown and invalid options, as serve does', () => {
    const store = memoryStore();
    for (const [options, message] of [
      [{ sesion: { store } }, /option sesion is invalid: .*unknown option; did you mean session/],
      [{ session: { store, cookeName: 'x' } }, /wrapSession: option cookeName is invalid/],
      [{ session: {} }, /wrapSession: option store is invalid/],
      [{ session: { store, logger: {} } }, /option logger is invalid/],
      [{ csrf: { trustedOrigin: [] } }, /wrapCsrf: option trustedOrigin is invalid/],
      [{ csrf: 'on' }, /option csrf is invalid/],
      [[], /option options is invalid/],
    ] as const) {
      assert.throws(
        () => sessionMiddleware(options as unknown as ExpressSessionOptions),
        (error: unknown) =>
          error instanceof SessionkitError &&
          error.code === 'invalid_option' &&
          message.test(error.message),
        JSON.stringify(options),
      );
    }
  });

  void it('with csrf: false, posts pass and csrfToken() says protection is off', async () => {
    const app = await start(
      (app) => {
        app.post('/', (_req, res) => res.send('ok'));
        app.get('/token', (req, res) => res.send(req.csrfToken()));
      },
      { csrf: false },
    );
    try {
      assert.equal((await app.client().post('/', {})).status, 200);
      assert.equal(await app.client().text('/token'), 'handled by Express');
      assert.match((app.errors[0] as Error).message, /CSRF protection is off/);
    } finally {
      await app.close();
    }
  });
});
