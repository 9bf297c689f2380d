import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from '../../test/support/client.ts';
import { RecordingLogger, request, responseOf } from '../../test/support/fakes.ts';
import { inProcess } from '../../test/support/in-process.ts';
import { compose } from '../core/compose.ts';
import { cookieStore } from '../stores/cookie/cookie-store.ts';
import { SessionkitError } from '../core/errors.ts';
import { flashKey, wrapFlash } from './flash.ts';
import { memoryStore } from '../stores/memory/memory-store.ts';
import { redirect } from '../core/response.ts';
import { wrapSession } from './wrap-session.ts';
import type { Handler, RequestMap } from '../core/types.ts';

const secret = 'Fq8Zr2Wx5Lp9Nm3Kt7Vb1Hy4Jd6Gs0Cz-flash-tests';

/** The shared test client, calling the app in process; gives the request the routes saw. */
function client(app: Handler) {
  const browser = new Client(inProcess(app));
  return async (path: string): Promise<{ response: globalThis.Response; seen: RequestMap }> => {
    const response = await browser.get(path);
    return { response, seen: lastSeen! };
  };
}

/** The request the routes saw last. */
let lastSeen: RequestMap | undefined;

const routes: Handler = (req) => {
  lastSeen = req;
  switch (req.path) {
    case '/login':
      return { status: 200, session: { ...req.session, user: 'alice' } };
    case '/set':
      return { ...redirect('/show', 303), flash: 'hello world' };
    case '/logout':
      return { status: 200, session: null, flash: 'You have been logged out' };
    case '/big':
      return { status: 200, flash: 'x'.repeat(5000) };
    default:
      return { status: 200, body: JSON.stringify({ flash: req.flash ?? null }) };
  }
};

const stores = {
  memoryStore: () => memoryStore(),
  cookieStore: () => cookieStore({ secrets: [secret] }),
};

for (const [name, makeStore] of Object.entries(stores)) {
  describe(`wrapFlash (${name})`, () => {
    const app = () =>
      compose(
        wrapSession({ store: makeStore(), logger: new RecordingLogger() }),
        wrapFlash(),
      )(routes);

    it('F-01: a flash is seen by the next request only, and its removal is persisted', async () => {
      const get = client(app());
      await get('/set');
      const first = await get('/other');
      assert.equal(first.seen.flash, 'hello world');
      assert.equal(
        first.seen.session?.[flashKey],
        undefined,
        'the handler never sees the flash inside the session',
      );
      const second = await get('/show');
      assert.equal(second.seen.flash, undefined);
    });

    it('F-02: a flash does not wipe other session keys', async () => {
      const get = client(app());
      await get('/login');
      await get('/set');
      const { seen } = await get('/show');
      assert.equal(seen.flash, 'hello world');
      assert.deepEqual(seen.session, { user: 'alice' });
    });

    it('F-02: logout with a flash gives a fresh session holding only the flash', async () => {
      const get = client(app());
      await get('/login');
      await get('/logout');
      const { seen } = await get('/show');
      assert.equal(seen.flash, 'You have been logged out');
      assert.deepEqual(seen.session, {});
    });

    it('L-15: logout with a flash still sends Cache-Control: no-store', async () => {
      const get = client(app());
      await get('/login');
      const { response } = await get('/logout');
      assert.equal(response.headers.get('cache-control'), 'no-store');
    });

    it('adds no cookie when there is no flash and the session is not written', async () => {
      const get = client(app());
      const { response } = await get('/show');
      assert.deepEqual(response.headers.getSetCookie(), []);
    });
  });
}

describe('wrapFlash', () => {
  it('F-05: a flash that overflows the cookie store fails the write, it is not dropped', async () => {
    const app = compose(
      wrapSession({ store: stores.cookieStore(), logger: new RecordingLogger() }),
      wrapFlash(),
    )(routes);
    await assert.rejects(
      Promise.resolve(app(request({ path: '/big' }))),
      (error: unknown) => error instanceof SessionkitError && error.code === 'cookie_too_large',
    );
  });

  it('does not store falsy flash values (null, false, undefined)', async () => {
    const handler = wrapFlash()(() => ({ status: 200, flash: false }));
    const response = responseOf(await handler({ ...request(), session: {} }));
    assert.equal(response.session, undefined);
  });

  it('keeps an empty-string flash (truthy in Clojure)', async () => {
    const handler = wrapFlash()(() => ({ status: 200, flash: '' }));
    const response = responseOf(await handler({ ...request(), session: {} }));
    assert.deepEqual(response.session, { [flashKey]: '' });
  });
});
