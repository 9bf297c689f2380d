// wrapSession and a session's subject (`sessionSubject`), and revocation seen from requests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Clock } from '../../test/support/clock.ts';
import { cookieFrom, RecordingLogger, request, setCookies } from '../../test/support/fakes.ts';
import { compose } from '../core/compose.ts';
import { SessionkitError } from '../core/errors.ts';
import type { Handler } from '../core/types.ts';
import { cookieStore } from '../stores/cookie/cookie-store.ts';
import { memoryStore } from '../stores/memory/memory-store.ts';
import { wrapFlash } from './flash.ts';
import { memoryRevocations } from './revocations.ts';
import type { Revocations } from './revocations.ts';
import { wrapSession } from './wrap-session.ts';

const secret = 'uQ7w2Zp9Lr4Xk6Tn1Vb8Jc3Hm5Gd0Fs-subject-tests';

/** Routes: /login/<name> (subject = name), /me, /put, /rename, /forget, /logout, /regenerate. */
const routes: Handler = (req) => {
  const session = req.session ?? {};
  const body = JSON.stringify({ session, subject: req.sessionSubject ?? null });
  if (req.path.startsWith('/login/')) {
    const user = req.path.slice(7);
    return { status: 200, body, session: { user }, regenerateSession: true, sessionSubject: user };
  }
  if (req.path === '/put') return { status: 200, body, session: { ...session, n: 1 } };
  if (req.path === '/rename') return { status: 200, body, sessionSubject: 'renamed' };
  if (req.path === '/forget') return { status: 200, body, sessionSubject: null };
  if (req.path === '/regenerate') return { status: 200, body, regenerateSession: true };
  if (req.path === '/logout') return { status: 200, body, session: null, flash: 'bye' };
  return { status: 200, body };
};

function setup(list?: (clock: Clock) => Revocations) {
  const clock = new Clock();
  const revocations = list?.(clock);
  const store = cookieStore({
    secrets: [secret],
    now: clock.now,
    ...(revocations === undefined ? {} : { revocations }),
  });
  const app = compose(wrapSession({ store, logger: new RecordingLogger() }), wrapFlash())(routes);
  /** A browser: keeps the session cookie between requests. */
  let cookie: string | undefined;
  const visit = async (path: string, as = cookie) => {
    const response = (await app(
      request({ path, headers: as === undefined ? {} : { cookie: as } }),
    ))!;
    cookie = cookieFrom(response, 'session') ?? cookie;
    const seen =
      response.status === 200
        ? (JSON.parse(String(response.body)) as { session: object; subject: string | null })
        : undefined;
    return { response, seen, cookie: cookie! };
  };
  return { app, visit, clock };
}

describe('wrapSession: sessionSubject', () => {
  it('attaches a subject at login: request.sessionSubject on later requests, never in request.session', async () => {
    const { visit } = setup();
    await visit('/login/alice');
    const { seen } = await visit('/me');
    assert.deepEqual(seen, { session: { user: 'alice' }, subject: 'alice' });
  });

  it('keeps the subject across writes and regenerations; null removes it; a subject alone rewrites the session', async () => {
    const { visit } = setup();
    await visit('/login/alice');
    await visit('/put');
    assert.equal((await visit('/me')).seen!.subject, 'alice');
    await visit('/regenerate');
    assert.deepEqual((await visit('/me')).seen, {
      session: { user: 'alice', n: 1 },
      subject: 'alice',
    });
    const renamed = await visit('/rename');
    assert.equal(setCookies(renamed.response).length, 1, 'a subject alone is written');
    assert.deepEqual((await visit('/me')).seen, {
      session: { user: 'alice', n: 1 },
      subject: 'renamed',
    });
    await visit('/forget');
    assert.deepEqual((await visit('/me')).seen, {
      session: { user: 'alice', n: 1 },
      subject: null,
    });
  });

  it('F-02: logout with a flash leaves a session that holds only the flash, and no subject', async () => {
    const { visit } = setup();
    await visit('/login/alice');
    await visit('/logout');
    const { seen } = await visit('/me');
    assert.deepEqual(seen, { session: {}, subject: null });
  });

  it('refuses a subject with a store that keeps none, and a malformed one, as a programming error', async () => {
    const memory = wrapSession({ store: memoryStore(), logger: new RecordingLogger() })(routes);
    await assert.rejects(
      Promise.resolve(memory(request({ path: '/login/alice' }))),
      (e: unknown) =>
        e instanceof SessionkitError &&
        e.code === 'invalid_option' &&
        /sessionSubject .*cookieStore keeps subjects/.test(e.message),
    );
    const store = cookieStore({ secrets: [secret] });
    for (const subject of ['', 'a\nb', 'x'.repeat(1001), 7]) {
      const app = wrapSession({ store })(() => ({
        status: 200,
        session: {},
        sessionSubject: subject as string,
      }));
      await assert.rejects(
        Promise.resolve(app(request())),
        (e: unknown) => e instanceof SessionkitError && e.code === 'invalid_option',
      );
    }
    // null is "no subject", which every store can keep.
    const nulled = wrapSession({ store: memoryStore() })(() => ({
      status: 200,
      session: {},
      sessionSubject: null,
    }));
    assert.equal((await nulled(request()))!.status, 200);
  });
});

describe('wrapSession with a cookie store that revokes', () => {
  it('L-07: a cookie copied before logout is no session afterwards', async () => {
    const { visit } = setup((clock) => memoryRevocations({ now: clock.now }));
    const { cookie } = await visit('/login/alice');
    const logout = await visit('/logout');
    assert.match(setCookies(logout.response)[0]!, /^session=v2/, 'the flash-only session');
    assert.deepEqual((await visit('/me', cookie)).seen, { session: {}, subject: null });
  });

  it('L-04: logging in revokes the pre-login session', async () => {
    const { visit } = setup((clock) => memoryRevocations({ now: clock.now }));
    const { cookie: anonymous } = await visit('/put');
    await visit('/login/alice');
    assert.deepEqual((await visit('/me', anonymous)).seen, { session: {}, subject: null });
  });

  it('R-11: a revocation list that cannot answer gets the store-error response (503), no cookie', async () => {
    let up = true;
    const clock = new Clock();
    const list = memoryRevocations({ now: clock.now });
    const flaky: Revocations = {
      absoluteTimeoutSeconds: list.absoluteTimeoutSeconds,
      isRevoked(id, subject) {
        if (!up) throw new Error('out of sync');
        return list.isRevoked(id, subject);
      },
      revoke: (id, until) => (up ? list.revoke(id, until) : Promise.reject(new Error('down'))),
      revokeSubject: (subject) => list.revokeSubject(subject),
    };
    const { visit } = setup(() => flaky);
    const { cookie } = await visit('/login/alice');
    up = false;
    for (const path of ['/me', '/logout']) {
      const { response } = await visit(path, cookie);
      assert.equal(response.status, 503, path);
      assert.deepEqual(setCookies(response), []);
    }
    up = true;
    assert.deepEqual((await visit('/me', cookie)).seen!.subject, 'alice');
  });
});
