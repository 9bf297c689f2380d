// A login / read / logout flow through wrapSession on any server-side store, in process:
// the same assertions for single Redis and for a cluster, with either client.
import assert from 'node:assert/strict';
import { wrapSession } from '../../src/session/wrap-session.ts';
import type { SessionStore } from '../../src/session/store.ts';
import type { Handler, ResponseMap } from '../../src/core/types.ts';
import { cookieFrom, RecordingLogger, request, responseOf, setCookies } from './fakes.ts';

/** Holds a handler until the test opens it; says when the handler got there. */
export class Gate {
  arrive!: () => void;
  readonly arrived = new Promise<void>((resolve) => (this.arrive = resolve));
  open!: () => void;
  readonly passed = new Promise<void>((resolve) => (this.open = resolve));
}

/**
 * Routes: `/login/<name>` (a new key), `/me`, `/count` (read-increment-write), `/logout`,
 * and `/slow-count`, which counts once `gate` opens.
 */
export function flowApp(
  store: SessionStore,
  options: { logger?: RecordingLogger; gate?: () => Gate } = {},
): Handler {
  const logger = options.logger ?? new RecordingLogger();
  return wrapSession({ store, logger })(async (req) => {
    const session = req.session ?? {};
    if (req.path === '/slow-count') {
      const gate = options.gate?.();
      gate?.arrive();
      await gate?.passed;
      return { status: 200, body: 'counted', session: { ...session, n: 99 } };
    }
    if (req.path.startsWith('/login/')) {
      return {
        status: 200,
        body: 'welcome',
        session: { user: req.path.slice(7) },
        regenerateSession: true,
      };
    }
    if (req.path === '/count') {
      const n = typeof session.n === 'number' ? session.n + 1 : 1;
      return { status: 200, body: String(n), session: { ...session, n } };
    }
    if (req.path === '/logout') return { status: 200, body: 'bye', session: null };
    return { status: 200, body: JSON.stringify(session) };
  });
}

/** Sends a GET with the given cookie to the app. */
export async function get(app: Handler, path: string, cookie?: string): Promise<ResponseMap> {
  return responseOf(await app(request({ path, headers: cookie === undefined ? {} : { cookie } })));
}

/**
 * Logs in, reads, counts, logs out, and checks that the old cookie is then no session and
 * that a late write under it (a request that read the session before the logout and writes
 * after it) revives nothing. `other` is a second app on the same store (another app server),
 * used for every other step. Both must have been made with `flowApp(store, { gate })`.
 */
export async function loginReadLogout(
  app: Handler,
  other: Handler,
  gate: { current: Gate },
): Promise<void> {
  const login = await get(app, '/login/alice');
  assert.equal(login.status, 200);
  const cookie = cookieFrom(login, 'session');
  assert.match(cookie ?? '', /^session=[A-Za-z0-9_-]{43}$/);

  const me = await get(other, '/me', cookie);
  assert.equal(me.status, 200);
  assert.deepEqual(JSON.parse(String(me.body)), { user: 'alice' });
  assert.deepEqual(setCookies(me), [], 'a read sends no cookie');

  assert.equal((await get(app, '/count', cookie)).body, '1');
  const counted = await get(other, '/count', cookie);
  assert.equal(counted.body, '2');
  assert.deepEqual(setCookies(counted), [], 'a write under the same key sends no cookie');

  gate.current = new Gate();
  const slow = get(app, '/slow-count', cookie);
  await gate.current.arrived; // it has read the session and waits to write
  const logout = await get(other, '/logout', cookie);
  assert.equal(logout.status, 200);
  assert.match(setCookies(logout)[0] ?? '', /^session=; .*Max-Age=0/);
  assert.deepEqual(JSON.parse(String((await get(app, '/me', cookie)).body)), {});
  // the late write under the logged-out key stores nothing and sets no cookie.
  gate.current.open();
  const late = await slow;
  assert.equal(late.status, 200);
  assert.deepEqual(setCookies(late), []);
  assert.deepEqual(JSON.parse(String((await get(other, '/me', cookie)).body)), {});
}

/** Two apps (two app servers) on one store, sharing a gate for the late-write step. */
export function twoServers(
  store: SessionStore,
  other: SessionStore = store,
): { app: Handler; other: Handler; gate: { current: Gate } } {
  const gate = { current: new Gate() };
  const hold = (): Gate => gate.current;
  return {
    app: flowApp(store, { gate: hold }),
    other: flowApp(other, { gate: hold }),
    gate,
  };
}
