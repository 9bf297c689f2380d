import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Clock } from '../../test/support/clock.ts';
import {
  cookieFrom,
  RecordingLogger,
  RecordingStore,
  request,
  responseOf,
  setCookies,
} from '../../test/support/fakes.ts';
import { cookieStore } from '../stores/cookie/cookie-store.ts';
import { SessionkitError } from '../core/errors.ts';
import { memoryStore } from '../stores/memory/memory-store.ts';
import { wrapSession } from './wrap-session.ts';
import type {
  CookieAttrs,
  Handler,
  RequestMap,
  ResponseCookie,
  ResponseMap,
  SessionData,
} from '../core/types.ts';
import { compose } from '../core/compose.ts';
import { wrapCookies } from '../cookies/wrap-cookies.ts';
import type { SessionStore, StoredSession } from './store.ts';

const secret = 'uQ7w2Zp9Lr4Xk6Tn1Vb8Jc3Hm5Gd0Fs-session-tests';

function setup(
  handler: Handler,
  options: Partial<Parameters<typeof wrapSession>[0]> = {},
  clock = new Clock(),
) {
  const store = new RecordingStore(memoryStore({ now: clock.now }));
  const logger = new RecordingLogger();
  const app = wrapSession({ store, logger, ...options })(handler);
  return { app, store, logger, clock };
}

const login = (req: RequestMap): ResponseMap => ({
  status: 200,
  body: 'ok',
  session: { ...req.session, user: 'alice' },
});
const show: Handler = (req) => ({ status: 200, body: JSON.stringify(req.session ?? null) });

async function loggedIn(app: Handler): Promise<string> {
  const cookie = cookieFrom(await app(request()), 'session');
  assert.ok(cookie, 'the login response sets the session cookie');
  return cookie;
}

/**
 * A store whose keys need encoding in a cookie: a space, `;`, `%`, `+` and non-ASCII. It
 * records the keys it is asked for, as it received them.
 */
class AwkwardKeyStore implements SessionStore {
  readonly sessions = new Map<string, SessionData>();
  readonly asked: string[] = [];
  #next = 0;
  async read(key: string): Promise<StoredSession | undefined> {
    this.asked.push(key);
    const data = this.sessions.get(key);
    return data === undefined ? undefined : { data, createdAt: 0, stale: false };
  }
  async write(key: string | undefined, data: SessionData): Promise<string | undefined> {
    const id = key ?? `id ;%+é ${this.#next++}`;
    this.sessions.set(id, data);
    return id;
  }
  async touch(key: string): Promise<string | undefined> {
    return key;
  }
  async delete(key: string): Promise<void> {
    this.sessions.delete(key);
  }
}

describe('wrapSession', () => {
  it('gives a request without a cookie an empty session and no key', async () => {
    let seen: RequestMap | undefined;
    const { app } = setup((req) => ((seen = req), { status: 200 }));
    await app(request());
    assert.deepEqual(seen?.session, {});
    assert.equal(seen?.sessionKey, undefined);
  });

  it('L-12: an anonymous request whose session is never written gets no cookie and no store write', async () => {
    const { app, store } = setup(show);
    const response = await app(request({ headers: { cookie: 'other=1' } }));
    assert.deepEqual(setCookies(response), []);
    assert.deepEqual(store.calls, []);
  });

  it("writes a new session with Kit's cookie attributes", async () => {
    const { app } = setup(login);
    const [line] = setCookies(await app(request()));
    assert.match(
      line!,
      /^session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=86400; HttpOnly; SameSite=Lax$/,
    );
  });

  it('reads the session back on the next request and exposes its key', async () => {
    let seen: RequestMap | undefined;
    const { app } = setup((req) =>
      req.path === '/login' ? login(req) : ((seen = req), { status: 200 }),
    );
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    await app(request({ headers: { cookie } }));
    assert.deepEqual(seen?.session, { user: 'alice' });
    assert.equal(seen?.sessionKey, cookie.slice('session='.length));
  });

  it('sends no cookie when a server-side store keeps the key on a write (as Ring)', async () => {
    const { app } = setup(login);
    const cookie = await loggedIn(app);
    assert.deepEqual(setCookies(await app(request({ headers: { cookie } }))), []);
  });

  it('leaves the session alone when the response has no session', async () => {
    const { app, store } = setup((req) => (req.path === '/login' ? login(req) : { status: 200 }));
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    store.calls = [];
    const response = await app(request({ headers: { cookie } }));
    assert.deepEqual(setCookies(response), []);
    assert.deepEqual(store.calls, ['read ' + cookie.slice(8, 16)]);
  });

  it('L-06: session null deletes the session and expires the cookie with its Path and Domain', async () => {
    const { app, store } = setup(
      (req) => (req.path === '/login' ? login(req) : { status: 200, session: null }),
      { cookieAttrs: { path: '/app', domain: 'example.com' } },
    );
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    const response = await app(request({ headers: { cookie } }));
    assert.deepEqual(setCookies(response), [
      'session=; Domain=example.com; Path=/app; Max-Age=0; HttpOnly; SameSite=Lax',
    ]);
    assert.ok(store.calls.includes('delete'));
    assert.equal(await store.inner.read(cookie.slice('session='.length)), undefined);
  });

  it('L-15: the logout response carries Cache-Control: no-store', async () => {
    const { app } = setup((req) =>
      req.path === '/login' ? login(req) : { status: 200, session: null },
    );
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    const response = responseOf(await app(request({ headers: { cookie } })));
    assert.equal(response.headers?.['cache-control'], 'no-store');
  });

  it('L-17: a response that sets the session cookie is private: Cache-Control private, Vary: Cookie', async () => {
    const { app } = setup((req) =>
      req.path === '/public'
        ? { ...login(req), headers: { 'Cache-Control': 'public, s-maxage=600, max-age=60' } }
        : login(req),
    );
    const response = responseOf(await app(request({ path: '/login' })));
    assert.equal(setCookies(response).length, 1);
    assert.equal(response.headers?.['cache-control'], 'private');
    assert.equal(response.headers?.['vary'], 'Cookie');
    const handlerSaid = responseOf(await app(request({ path: '/public' })));
    assert.equal(handlerSaid.headers?.['Cache-Control'], 'max-age=60, private');
    // A response that sets no cookie is left as the handler made it.
    const { app: reader } = setup(show);
    const untouched = responseOf(await reader(request()));
    assert.equal(untouched.headers, undefined);
  });

  it('session null without any session cookie sends nothing', async () => {
    const { app, store } = setup(() => ({ status: 200, session: null }));
    assert.deepEqual(setCookies(await app(request())), []);
    assert.deepEqual(store.calls, []);
  });

  it('L-04: regenerateSession moves the same data to a new key and the old key stops working', async () => {
    const { app, store } = setup((req) =>
      req.path === '/login' ? login(req) : { status: 200, regenerateSession: true },
    );
    const before = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    const response = await app(request({ headers: { cookie: before } }));
    const lines = setCookies(response);
    assert.equal(lines.length, 1);
    const after = cookieFrom(response, 'session')!;
    assert.notEqual(after, before);
    assert.equal(await store.inner.read(before.slice(8)), undefined);
    assert.deepEqual((await store.inner.read(after.slice(8)))?.data, { user: 'alice' });
  });

  it('sessionCookieAttrs re-sends the current key with attributes for this response only', async () => {
    const { app } = setup((req) =>
      req.path === '/login'
        ? login(req)
        : { status: 200, sessionCookieAttrs: { maxAge: 2_592_000 } },
    );
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    const [line] = setCookies(await app(request({ headers: { cookie } })));
    assert.equal(line, `${cookie}; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax`);
  });

  it("S-15: replaces a handler cookie of the session's name and keeps the others, one Set-Cookie each", async () => {
    const { app } = setup((req) => ({
      status: 200,
      headers: { 'Set-Cookie': 'raw=1' },
      cookies: { session: 'handler-value', theme: { value: 'dark', path: '/' } },
      session: { ...req.session, user: 'bob' },
    }));
    const lines = setCookies(await app(request()));
    assert.equal(lines.length, 3);
    assert.equal(lines[0], 'raw=1');
    assert.equal(lines[1], 'theme=dark; Path=/');
    assert.match(lines[2]!, /^session=[A-Za-z0-9_-]{43}; /);
  });

  it('P-01: a planted garbage duplicate does not shadow a valid session', async () => {
    let seen: RequestMap | undefined;
    const { app } = setup((req) =>
      req.path === '/login' ? login(req) : ((seen = req), { status: 200 }),
    );
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    await app(request({ headers: { cookie: `session=garbage; ${cookie}` } }));
    assert.deepEqual(seen?.session, { user: 'alice' });
  });

  it('P-01: several planted cookies ahead of the real one do not hide it', async () => {
    let seen: RequestMap | undefined;
    const { app } = setup((req) =>
      req.path === '/login' ? login(req) : ((seen = req), { status: 200 }),
    );
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    const planted = Array.from({ length: 8 }, (_, i) => `session=${'P'.repeat(42)}${i}`).join('; ');
    await app(request({ headers: { cookie: `${planted}; ${cookie}` } }));
    assert.deepEqual(seen?.session, { user: 'alice' });
  });

  it('P-01: two different sessions that both authenticate give no session (cookie tossing fails closed), logged once', async () => {
    let seen: RequestMap | undefined;
    const { app, logger } = setup((req) =>
      req.path === '/login' ? login(req) : ((seen = req), { status: 200 }),
    );
    const victim = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    const attacker = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    // A sibling subdomain planted its own valid session with a longer Path: sent first.
    for (const header of [
      `${attacker}; ${victim}`,
      `${victim}; ${attacker}`,
      `${attacker}; ${victim}`,
    ]) {
      seen = undefined as RequestMap | undefined;
      await app(request({ headers: { cookie: header } }));
      assert.deepEqual(seen?.session, {});
      assert.equal(seen?.sessionKey, undefined);
    }
    assert.equal(
      logger.warnings.filter((w) => /more than one valid session cookie/.test(w)).length,
      1,
    );
    assert.equal(
      logger.debugs.filter((d) => /more than one valid session cookie/.test(d)).length,
      2,
    );
  });

  it('P-01: the same value sent twice is one candidate, not a conflict', async () => {
    let seen: RequestMap | undefined;
    const { app, store } = setup((req) =>
      req.path === '/login' ? login(req) : ((seen = req), { status: 200 }),
    );
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    store.calls = [];
    await app(request({ headers: { cookie: `${cookie}; ${cookie}` } }));
    assert.deepEqual(seen?.session, { user: 'alice' });
    assert.equal(store.calls.filter((c) => c.startsWith('read')).length, 1);
  });

  it('P-01: garbage planted ahead of the real cookie cannot push it out, and at most 16 values are read', async () => {
    let seen: RequestMap | undefined;
    const { app, store } = setup((req) =>
      req.path === '/login' ? login(req) : ((seen = req), { status: 200 }),
    );
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    // Browsers send longer Paths first (RFC 6265bis §5.8.3): planted values come before ours.
    const planted = Array.from({ length: 40 }, (_, i) => `session=${'G'.repeat(40)}${i}`).join(
      '; ',
    );
    store.calls = [];
    await app(request({ headers: { cookie: `${planted}; ${cookie}` } }));
    assert.deepEqual(seen?.session, { user: 'alice' });
    assert.equal(store.calls.filter((c) => c.startsWith('read')).length, 16);
  });

  it('P-01: the real cookie is found behind 250 other cookies (more than the parser keeps)', async () => {
    let seen: RequestMap | undefined;
    const { app } = setup((req) =>
      req.path === '/login' ? login(req) : ((seen = req), { status: 200 }),
    );
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    const others = Array.from({ length: 250 }, (_, i) => `c${i}=1`).join('; ');
    await app(request({ headers: { cookie: `${others}; ${cookie}` } }));
    assert.deepEqual(seen?.session, { user: 'alice' });
  });

  it('Q-05: a request that reads without changing the session causes no write and no cookie', async () => {
    const { app, store } = setup((req) => (req.path === '/login' ? login(req) : show(req)));
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    store.calls = [];
    const response = await app(request({ headers: { cookie } }));
    assert.deepEqual(setCookies(response), []);
    assert.ok(!store.calls.includes('write') && !store.calls.includes('touch'));
  });

  it('P-16: an empty session cookie is treated as absent and never looked up', async () => {
    const { app, store } = setup(show);
    await app(request({ headers: { cookie: 'session=' } }));
    assert.deepEqual(store.calls, []);
  });

  it('P-13: matches the cookie name exactly', async () => {
    let seen: RequestMap | undefined;
    const { app } = setup((req) =>
      req.path === '/login' ? login(req) : ((seen = req), { status: 200 }),
    );
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    await app(request({ headers: { cookie: cookie.replace('session', 'Session') } }));
    assert.deepEqual(seen?.session, {});
  });

  it('R-01: a store read failure answers 503, runs no handler and sets no cookie', async () => {
    let ran = false;
    const { app, store, logger } = setup(() => ((ran = true), { status: 200, session: { a: 1 } }));
    store.fail.read = new Error('ECONNREFUSED');
    const response = responseOf(
      await app(request({ headers: { cookie: 'session=' + 'A'.repeat(43) } })),
    );
    assert.equal(response.status, 503);
    assert.equal(ran, false);
    assert.deepEqual(setCookies(response), []);
    assert.equal(logger.errors.length, 1);
  });

  it('R-04: a store write failure answers 503 and sets no cookie', async () => {
    const { app, store } = setup(login);
    store.fail.write = new Error('ECONNRESET');
    const response = responseOf(await app(request()));
    assert.equal(response.status, 503);
    assert.deepEqual(setCookies(response), []);
  });

  it('R-05: a store delete failure at logout is surfaced as 503, never reported as success', async () => {
    const { app, store } = setup((req) =>
      req.path === '/login' ? login(req) : { status: 200, session: null },
    );
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    store.fail.delete = new Error('timeout');
    const response = responseOf(await app(request({ headers: { cookie } })));
    assert.equal(response.status, 503);
    assert.deepEqual(setCookies(response), []);
  });

  it('answers without a promise over a store with readSync, writeSync and touchSync (the cookie store)', () => {
    const clock = new Clock();
    const store = cookieStore({ secrets: [secret], now: clock.now, touchAfterSeconds: 60 });
    const app = wrapSession({ store })((req) =>
      req.path === '/read'
        ? { status: 200, body: String(req.session?.n) }
        : { status: 200, session: { n: 1 } },
    );
    const written = app(request({ path: '/write' }));
    assert.ok(!(written instanceof Promise));
    const cookie = cookieFrom(written, 'session')!;
    const read = app(request({ path: '/read', headers: { cookie } }));
    assert.ok(!(read instanceof Promise));
    assert.equal(responseOf(read).body, '1');
    clock.advance(61_000); // the refresh is due: touchSync
    const touched = app(request({ path: '/read', headers: { cookie } }));
    assert.ok(!(touched instanceof Promise));
    assert.equal(setCookies(responseOf(touched)).length, 1);
  });

  it('R-01, R-04: readSync, writeSync or touchSync throwing answers 503, as their rejection would', async () => {
    const clock = new Clock();
    const inner = cookieStore({ secrets: [secret], now: clock.now, touchAfterSeconds: 60 });
    const fail = { read: false, write: false, touch: false };
    const down = (): never => {
      throw new Error('ECONNRESET');
    };
    const store: SessionStore = {
      cookieName: inner.cookieName,
      subjects: true,
      read: (key) => inner.read(key),
      write: (key, data, createdAt, subject) => inner.write(key, data, createdAt, subject),
      touch: (key) => inner.touch(key),
      delete: (key) => inner.delete(key),
      readSync: (key) => (fail.read ? down() : inner.readSync(key)),
      writeSync: (key, data, createdAt, subject) =>
        fail.write ? down() : inner.writeSync(key, data, createdAt, subject),
      touchSync: (key) => (fail.touch ? down() : inner.touchSync(key)),
    };
    const logger = new RecordingLogger();
    const app = wrapSession({ store, logger })((req) =>
      req.path === '/read' ? { status: 200 } : { status: 200, session: { n: 1 } },
    );
    const cookie = cookieFrom(await app(request({ path: '/write' })), 'session')!;
    for (const [operation, path] of [
      ['read', '/read'],
      ['write', '/write'],
      ['touch', '/read'],
    ] as const) {
      if (operation === 'touch') clock.advance(61_000);
      fail[operation] = true;
      const response = responseOf(await app(request({ path, headers: { cookie } })));
      fail[operation] = false;
      assert.equal(response.status, 503, operation);
      assert.deepEqual(setCookies(response), [], operation);
    }
    assert.equal(logger.errors.length, 3);
  });

  it('uses the onStoreError response when given', async () => {
    const { app, store } = setup(login, {
      onStoreError: () => ({ status: 500, body: 'custom' }),
    });
    store.fail.write = new Error('down');
    assert.equal(responseOf(await app(request())).body, 'custom');
  });

  it('Z-01: lets a too-large cookie store value fail the request instead of dropping it', async () => {
    const store = cookieStore({ secrets: [secret] });
    const app = wrapSession({ store, logger: new RecordingLogger() })(() => ({
      status: 200,
      session: { blob: 'x'.repeat(5000) },
    }));
    await assert.rejects(
      Promise.resolve(app(request())),
      (error: unknown) => error instanceof SessionkitError && error.code === 'cookie_too_large',
    );
  });

  it("secure 'auto' marks the cookie Secure on HTTPS requests only", async () => {
    const { app } = setup(login);
    assert.match(setCookies(await app(request({ scheme: 'https' })))[0]!, /; Secure;/);
    assert.doesNotMatch(setCookies(await app(request({ scheme: 'http' })))[0]!, /Secure/);
  });

  it('S-17: secure true on a plain-HTTP request still marks it Secure and warns once, naming trustProxy', async () => {
    const { app, logger } = setup(login, { secure: true });
    assert.match(setCookies(await app(request()))[0]!, /; Secure;/);
    await app(request());
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0]!, /trustProxy/);
  });

  it('forces Secure for a __Host- cookie name', async () => {
    const { app } = setup(login, { cookieName: '__Host-session' });
    assert.match(setCookies(await app(request()))[0]!, /^__Host-session=.*; Secure;/);
  });

  it('slides the idle deadline: a stale session is touched and its cookie re-sent without a write', async () => {
    const clock = new Clock();
    const { app, store } = setup(
      (req) => (req.path === '/login' ? login(req) : { status: 200 }),
      {},
      clock,
    );
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    clock.advance(8640); // a tenth of the default idle timeout
    store.calls = [];
    const response = await app(request({ headers: { cookie } }));
    assert.deepEqual(store.calls.slice(1), ['touch']);
    assert.equal(cookieFrom(response, 'session'), cookie);
  });

  it('Q-04: a cookie-store refresh that raced a logout in this process is not sent', async () => {
    const clock = new Clock();
    const store = cookieStore({ secrets: [secret], now: clock.now });
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const app = wrapSession({ store, logger: new RecordingLogger() })(async (req) => {
      if (req.path === '/login') return login(req);
      if (req.path === '/logout') return { status: 200, session: null };
      await slow; // a slow page that only reads the session
      return { status: 200 };
    });
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    clock.advance(8640); // the idle deadline is due to slide: a read refreshes the cookie
    const late = Promise.resolve(app(request({ path: '/slow', headers: { cookie } })));
    await new Promise((resolve) => setImmediate(resolve));
    const logout = await app(request({ path: '/logout', headers: { cookie } }));
    assert.match(setCookies(logout)[0]!, /Max-Age=0/);
    release();
    assert.deepEqual(setCookies(await late), [], 'no live cookie after the logout');
  });

  it('S-18: a store key that is not made of cookie-octets is encoded, never written raw into Set-Cookie', async () => {
    for (const [key, wire] of [
      ['a b', 'a%20b'],
      ['a;b', 'a%3Bb'],
      ['a,b', 'a%2Cb'],
      ['a"b', 'a%22b'],
      ['a\\b', 'a%5Cb'],
      ['é', '%C3%A9'],
      ['a\r\nb', 'a%0D%0Ab'],
    ]) {
      const store = { ...memoryStore(), write: async () => key };
      const app = wrapSession({ store, logger: new RecordingLogger() })(login);
      assert.equal(cookieFrom(await app(request()), 'session'), `session=${wire}`);
    }
  });

  it('S-18: a store key that is not a non-empty string is a store bug, refused', async () => {
    for (const key of ['', 42, null]) {
      const store = { ...memoryStore(), write: async () => key as string };
      const app = wrapSession({ store, logger: new RecordingLogger() })(login);
      await assert.rejects(
        Promise.resolve(app(request())),
        (error: unknown) =>
          error instanceof SessionkitError &&
          error.code === 'invalid_cookie' &&
          /store key/.test(error.message),
        JSON.stringify(key),
      );
    }
  });

  it('S-18: a store key is encoded the same way on every path, with or without sessionCookieAttrs', async () => {
    const key = 'k+/=%41:[x]';
    const wire = 'k%2B%2F%3D%2541%3A%5Bx%5D';
    const store = { ...memoryStore(), write: async () => key };
    const app = wrapSession({ store, logger: new RecordingLogger() })((req) =>
      req.path === '/remember'
        ? { ...login(req), sessionCookieAttrs: { maxAge: 3600 } }
        : login(req),
    );
    assert.equal(cookieFrom(await app(request()), 'session'), `session=${wire}`);
    assert.equal(
      cookieFrom(await app(request({ path: '/remember' })), 'session'),
      `session=${wire}`,
    );
  });

  it('C-14: session data nested too deep is unserializable_session, not a store outage', async () => {
    let deep: SessionData = {};
    for (let i = 0; i < 5000; i++) deep = { deep };
    for (const store of [memoryStore(), cookieStore({ secrets: [secret] })]) {
      const app = wrapSession({ store, logger: new RecordingLogger() })(() => ({
        status: 200,
        session: deep,
      }));
      await assert.rejects(
        Promise.resolve(app(request())),
        (error: unknown) =>
          error instanceof SessionkitError && error.code === 'unserializable_session',
      );
    }
  });

  it('refuses a cookie name other than the one the store seals to', () => {
    assert.throws(
      () =>
        wrapSession({
          store: cookieStore({ secrets: [secret], cookieName: 'a' }),
          cookieName: 'b',
        }),
      (error: unknown) =>
        error instanceof SessionkitError &&
        error.code === 'invalid_option' &&
        /cookieName/.test(error.message),
    );
  });

  it('rejects invalid cookie attributes at construction', () => {
    assert.throws(() =>
      wrapSession({ store: memoryStore(), cookieAttrs: { sameSite: 'bogus' as 'lax' } }),
    );
    assert.throws(
      () => wrapSession({ store: {} as never }),
      (error: unknown) => error instanceof SessionkitError && /option store/.test(error.message),
    );
  });

  it("S-19: refuses unknown cookieAttrs keys at construction, with a hint for Ring's spellings", () => {
    assert.throws(
      () =>
        wrapSession({
          store: memoryStore(),
          cookieAttrs: { 'max-age': 5, 'http-only': false } as unknown as CookieAttrs,
        }),
      (error: unknown) =>
        error instanceof SessionkitError &&
        error.code === 'invalid_cookie' &&
        error.message.startsWith('wrapSession: option cookieAttrs.max-age is invalid') &&
        error.message.includes('did you mean maxAge?'),
    );
  });

  it('S-19: refuses unknown sessionCookieAttrs keys, even on a response that sets no cookie', async () => {
    const { app, store } = setup(() => ({
      status: 200,
      sessionCookieAttrs: { 'http-only': false } as unknown as CookieAttrs,
    }));
    await assert.rejects(
      Promise.resolve(app(request())),
      (error: unknown) =>
        error instanceof SessionkitError &&
        error.code === 'invalid_cookie' &&
        error.message.startsWith(
          'wrapSession: option response.sessionCookieAttrs.http-only is invalid',
        ) &&
        error.message.includes('did you mean httpOnly?'),
    );
    assert.deepEqual(store.calls, []);
  });

  it('S-18: encodes a store key for the cookie on every path and decodes it on read', async () => {
    const store = new AwkwardKeyStore();
    const app = wrapSession({ store, logger: new RecordingLogger() })((req) => {
      switch (req.path) {
        case '/login':
          return { status: 200, session: { user: 'alice' } };
        case '/remember':
          return { status: 200, sessionCookieAttrs: { maxAge: 60 } };
        case '/logout':
          return { status: 200, session: null };
        default:
          return { status: 200, body: JSON.stringify([req.sessionKey, req.session]) };
      }
    });
    const wire = 'id%20%3B%25%2B%C3%A9%200';
    const [written] = setCookies(await app(request({ path: '/login' })));
    assert.equal(written, `session=${wire}; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax`);
    const cookie = `session=${wire}`;
    const page = responseOf(await app(request({ headers: { cookie } })));
    assert.deepEqual(JSON.parse(String(page.body)), ['id ;%+é 0', { user: 'alice' }]);
    assert.deepEqual(store.asked, ['id ;%+é 0']);
    // sessionCookieAttrs serializes the cookie the other way: the same encoding.
    const [remembered] = setCookies(await app(request({ path: '/remember', headers: { cookie } })));
    assert.equal(remembered, `${cookie}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax`);
    await app(request({ path: '/logout', headers: { cookie } }));
    assert.equal(store.sessions.size, 0, 'logout deleted the session under its decoded key');
  });

  it('S-18: reads a cookie whose escapes are malformed as no session, without asking the store', async () => {
    const store = new AwkwardKeyStore();
    const app = wrapSession({ store })(show);
    const page = responseOf(await app(request({ headers: { cookie: 'session=%E0%A4%A' } })));
    assert.equal(page.body, '{}');
    assert.deepEqual(store.asked, []);
  });

  it("setCookies: false leaves the session cookie in response.cookies for an outer wrapCookies (Ring's :set-cookies?)", async () => {
    const { app } = setup(
      (req) =>
        req.path === '/logout'
          ? { status: 200, session: null, cookies: { other: '1' } }
          : {
              status: 200,
              session: { ...req.session, user: 'alice' },
              cookies: { other: '1', session: 'replaced' },
            },
      { setCookies: false },
    );
    const response = responseOf(await app(request()));
    assert.equal(response.headers, undefined, 'no Set-Cookie written');
    const key = (response.cookies?.session as ResponseCookie).value;
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(response.cookies, {
      other: '1',
      session: {
        path: '/',
        httpOnly: true,
        maxAge: 86400,
        sameSite: 'lax',
        secure: false,
        value: key,
      },
    });
    const out = responseOf(
      await app(request({ path: '/logout', headers: { cookie: `session=${key}` } })),
    );
    assert.deepEqual(out.cookies, {
      other: '1',
      session: {
        path: '/',
        httpOnly: true,
        maxAge: 0,
        sameSite: 'lax',
        secure: false,
        value: '',
      },
    });
  });

  it('setCookies: false under wrapCookies writes the same cookie and reads it back, any key (S-18)', async () => {
    const store = new AwkwardKeyStore();
    const app = compose(
      wrapCookies(),
      wrapSession({ store, setCookies: false }),
    )((req) =>
      req.path === '/login'
        ? { status: 200, session: { user: 'alice' } }
        : { status: 200, body: JSON.stringify(req.session) },
    );
    const [line] = setCookies(await app(request({ path: '/login' })));
    // wrapCookies' own encoding: `+` is a cookie-octet and stays; percent-decoding reverses it.
    assert.equal(
      line,
      'session=id%20%3B%25+%C3%A9%200; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax',
    );
    const page = responseOf(await app(request({ headers: { cookie: line.split(';')[0]! } })));
    assert.equal(page.body, '{"user":"alice"}');
    assert.throws(() => wrapSession({ store, setCookies: 'no' as never }), /option setCookies/);
  });

  it('Q-02: a request in flight during logout does not bring the session back', async () => {
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const { app, store } = setup(async (req) => {
      if (req.path === '/login') return login(req);
      if (req.path === '/logout') return { status: 200, session: null };
      await slow;
      return { status: 200, session: { ...req.session, visits: 1 } };
    });
    const cookie = cookieFrom(await app(request({ path: '/login' })), 'session')!;
    const late = Promise.resolve(app(request({ path: '/slow', headers: { cookie } })));
    await new Promise((resolve) => setImmediate(resolve)); // the slow request has read the session
    await app(request({ path: '/logout', headers: { cookie } }));
    release();
    const response = await late;
    assert.deepEqual(setCookies(response), []);
    assert.equal(await store.inner.read(cookie.slice('session='.length)), undefined);
  });

  it('refuses sessionCookieAttrs that change Domain or Path (logout could not expire that cookie)', async () => {
    const { app } = setup(() => ({
      status: 200,
      session: {},
      sessionCookieAttrs: { domain: 'example.com' },
    }));
    await assert.rejects(
      Promise.resolve(app(request())),
      (error: unknown) =>
        error instanceof SessionkitError && /sessionCookieAttrs/.test(error.message),
    );
  });

  it('refuses at construction a store without touch or delete', () => {
    const partial = { read: () => Promise.resolve(undefined), write: () => Promise.resolve('k') };
    assert.throws(
      () => wrapSession({ store: partial as never }),
      (error: unknown) => error instanceof SessionkitError && /option store/.test(error.message),
    );
  });

  it("passes a handler's no response (Ring's nil) through untouched: no store call, no cookie", async () => {
    for (const nothing of [undefined, null]) {
      const { app, store, logger } = setup((req) => (req.path === '/login' ? login(req) : nothing));
      assert.equal(await app(request()), nothing);
      assert.deepEqual(store.calls, []);
      const cookie = cookieFrom(await app(request({ path: '/login' })), 'session');
      store.calls = [];
      // A session the handler could have changed: still no write, no touch, no cookie.
      assert.equal(await app(request({ headers: { cookie: cookie! } })), nothing);
      assert.deepEqual(store.calls, [`read ${cookie!.slice('session='.length, 16)}`]);
      assert.equal(logger.errors.length, 0);
    }
  });

  it('reports a handler that returns something other than a response as a handler bug', async () => {
    const { app, store } = setup((() => 'hello') as unknown as Handler);
    await assert.rejects(Promise.resolve(app(request())), /handler returned hello/);
    assert.deepEqual(store.calls, []);
  });

  it('passes a handler error through untouched', async () => {
    const { app } = setup(() => {
      throw new Error('boom');
    });
    await assert.rejects(Promise.resolve(app(request())), /boom/);
  });
});
