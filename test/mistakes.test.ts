// The mistakes a new user makes fail loudly, naming the fix, instead of losing data silently.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compose,
  cookieStore,
  csrfInput,
  memoryStore,
  SessionkitError,
  text,
  wrapCookies,
  wrapCsrf,
  wrapDefaults,
  wrapFlash,
  wrapSession,
} from '../src/index.ts';
import type { Handler } from '../src/index.ts';
import { Client, formToken } from './support/client.ts';
import { RecordingLogger } from './support/fakes.ts';
import { inProcess } from './support/in-process.ts';

const secret = 'Mistak3s-Kq9Lw2Zr7Tn5Vb1Hm8Jd3Gs6Fc0PaXy';

/** Calls `app` in process and gives the error a request failed with. */
async function failure(app: Handler, path = '/'): Promise<SessionkitError> {
  const errors: unknown[] = [];
  const response = await inProcess(app, (error) => errors.push(error))(path);
  assert.equal(response.status, 500);
  const [error] = errors;
  assert.ok(error instanceof SessionkitError, String(error));
  return error;
}

const options = () => ({ store: memoryStore(), logger: new RecordingLogger() });

describe('mistakes fail loudly', () => {
  it('wrapFlash or wrapCsrf listed before wrapSession throws at compose time', () => {
    for (const wrong of [wrapFlash(), wrapCsrf()]) {
      assert.throws(
        () => compose(wrong, wrapSession(options())),
        (error: unknown) =>
          error instanceof SessionkitError &&
          error.code === 'missing_middleware' &&
          /listed before wrapSession.*list wrapSession first/.test(error.message),
      );
    }
  });

  it('wrapFlash without any wrapSession fails on the first request, naming the fix', async () => {
    const error = await failure(wrapFlash()(() => text('x')));
    assert.equal(error.code, 'missing_middleware');
    assert.match(error.message, /request\.session is read but wrapSession has not run/);
  });

  it('a response setting session, flash or cookies that no middleware handled fails', async () => {
    for (const [response, middleware] of [
      [{ ...text('x'), session: { user: 'a' } }, /sets session but wrapSession/],
      [{ ...text('x'), flash: 'saved' }, /sets flash but wrapFlash/],
      [{ ...text('x'), cookies: { theme: 'dark' } }, /sets cookies but wrapCookies/],
    ] as const) {
      const error = await failure(() => response);
      assert.equal(error.code, 'missing_middleware');
      assert.match(error.message, middleware);
    }
    // wrapSession present, wrapFlash missing: the flash would be lost.
    const error = await failure(wrapSession(options())(() => ({ ...text('x'), flash: 'saved' })));
    assert.match(error.message, /sets flash but wrapFlash/);
  });

  it('reading request.cookies without wrapCookies, or request.session without wrapSession, fails', async () => {
    const readCookies = await failure((request) => text(String(request.cookies?.theme?.value)));
    assert.equal(readCookies.code, 'missing_middleware');
    assert.match(readCookies.message, /request\.cookies is read but wrapCookies has not run/);
    const readSession = await failure((request) => text(String(request.session?.user)));
    assert.match(readSession.message, /request\.session is read but wrapSession has not run/);
  });

  it('csrfInput without wrapCsrf names the fix', () => {
    assert.throws(
      () => csrfInput({}),
      (error: unknown) =>
        error instanceof SessionkitError &&
        error.code === 'missing_middleware' &&
        /apply wrapCsrf/.test(error.message),
    );
  });
});

describe('defaults in one call', () => {
  it('wrapSession() with no options is configured from the environment, as Kit is', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { COOKIE_SECRET: secret, COOKIE_NAME: 'kit-app' });
    try {
      const app = wrapSession()(() => ({ ...text('x'), session: { user: 'alice' } }));
      const response = await inProcess(app)('/');
      assert.match(response.headers.getSetCookie()[0]!, /^kit-app=v2\./);
    } finally {
      process.env.COOKIE_SECRET = saved.COOKIE_SECRET;
      process.env.COOKIE_NAME = saved.COOKIE_NAME;
      if (saved.COOKIE_SECRET === undefined) delete process.env.COOKIE_SECRET;
      if (saved.COOKIE_NAME === undefined) delete process.env.COOKIE_NAME;
    }
  });

  it('wrapDefaults() composes cookies, session, flash and CSRF in the right order', async () => {
    const routes: Handler = (request) => {
      if (request.path === '/form') return { ...text(csrfInput(request)), flash: 'shown once' };
      return text(
        JSON.stringify({
          flash: request.flash ?? null,
          cookies: Object.keys(request.cookies ?? {}),
        }),
      );
    };
    const browser = new Client(
      inProcess(
        wrapDefaults({ session: { store: memoryStore(), logger: new RecordingLogger() } })(routes),
      ),
    );
    const token = formToken(await browser.text('/form'));
    const posted = await browser.post('/', { '__anti-forgery-token': token });
    assert.equal(posted.status, 200);
    assert.deepEqual(await posted.json(), { flash: 'shown once', cookies: ['session'] });
    assert.equal((await browser.post('/', {})).status, 403);
  });

  it('drops a property set to undefined, the everyday way to remove a key, in every store', async () => {
    for (const store of [memoryStore(), cookieStore({ secrets: [secret] })]) {
      const app = compose(
        wrapCookies(),
        wrapSession({ store, logger: new RecordingLogger() }),
      )((request) =>
        request.path === '/login'
          ? { ...text('in'), session: { user: 'alice', returnTo: '/cart' } }
          : request.path === '/back'
            ? { ...text('back'), session: { ...request.session, returnTo: undefined } }
            : text(JSON.stringify(request.session)),
      );
      const browser = new Client(inProcess(app));
      await browser.get('/login');
      assert.equal((await browser.get('/back')).status, 200);
      assert.deepEqual(await browser.json('/'), { user: 'alice' });
    }
  });
});
