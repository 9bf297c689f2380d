// wrapCsrf({ tokens: 'ring' }): anti-forgery tokens shared with a Kit application through a
// shared session (ring-anti-forgery's token, under its session key, rendered as it is).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { request, responseOf } from '../../test/support/fakes.ts';
import { compose } from '../core/compose.ts';
import type { Handler, RequestHeaders, ResponseMap, SessionData } from '../core/types.ts';
import { wrapFlash } from '../session/flash.ts';
import { csrfField, csrfInput, csrfKey, ringTokenKey, wrapCsrf } from './wrap-csrf.ts';
import type { CsrfOptions } from './wrap-csrf.ts';

/** The session as a Kit application left it, and what the handler saw and wrote. */
interface Trip {
  response: ResponseMap;
  seen: SessionData | undefined;
}

/** One request through flash and CSRF, the session given directly (as wrapSession would). */
async function send(
  session: SessionData,
  method: string,
  path: string,
  init: { headers?: RequestHeaders; form?: Record<string, string> } = {},
  options: CsrfOptions = { tokens: 'ring' },
): Promise<Trip> {
  let seen: SessionData | undefined;
  const routes: Handler = (req) => {
    seen = req.session;
    if (path === '/form') return { status: 200, body: csrfInput(req) };
    if (path === '/write') return { status: 200, session: { ...req.session, n: 1 } };
    return { status: 200, body: 'OK' };
  };
  const app = compose(wrapFlash(), wrapCsrf(options))(routes);
  const req = request({
    method,
    path,
    headers: { host: 'app.test', ...init.headers },
    ...(init.form ? { form: init.form } : {}),
  });
  req.session = session;
  const response = responseOf(await app(req));
  return { response, seen };
}

/** A token as ring-anti-forgery 1.4 makes one: 60 random bytes, base64, no padding. */
const kitToken = (): string => randomBytes(60).toString('base64');

describe("wrapCsrf({ tokens: 'ring' })", () => {
  it('X-02: accepts the token Kit stored, from the form field or a header, as Kit sends it', async () => {
    const token = kitToken();
    const session = { user: 'alice', [ringTokenKey]: token };
    for (const init of [
      { form: { [csrfField]: token } },
      { headers: { 'x-csrf-token': token } },
      { headers: { 'x-xsrf-token': token } },
    ]) {
      const { response } = await send(session, 'POST', '/', init);
      assert.equal(response.status, 200, JSON.stringify(init));
    }
  });

  it('refuses a wrong, masked or missing token, and any token without a stored one', async () => {
    const token = kitToken();
    const session = { [ringTokenKey]: token };
    for (const sent of [kitToken(), token.slice(0, 79), `${token} `, '']) {
      const { response } = await send(session, 'POST', '/', { form: { [csrfField]: sent } });
      assert.equal(response.status, 403);
    }
    assert.equal((await send(session, 'POST', '/')).response.status, 403);
    const none = await send({}, 'POST', '/', { form: { [csrfField]: token } });
    assert.equal(none.response.status, 403);
  });

  it('renders the stored token unmasked, so Kit accepts the forms sessionkit renders', async () => {
    const token = kitToken();
    const { response } = await send({ [ringTokenKey]: token }, 'GET', '/form');
    assert.equal(
      response.body,
      `<input id="${csrfField}" name="${csrfField}" type="hidden" value="${token}" />`,
    );
    assert.equal(response.session, undefined, 'nothing new to store');
  });

  it("makes a token in ring-anti-forgery's format when the session has none, stored under Kit's key", async () => {
    const { response } = await send({ user: 'a' }, 'GET', '/form');
    const token = /value="([^"]+)"/.exec(String(response.body))![1]!;
    assert.match(token, /^[A-Za-z0-9+/]{80}$/);
    assert.deepEqual(response.session, { user: 'a', [ringTokenKey]: token });
  });

  it("hides Kit's token from handlers and keeps it across their writes; Kit's flash is a flash", async () => {
    const token = kitToken();
    const trip = await send({ user: 'a', _flash: 'Saved', [ringTokenKey]: token }, 'GET', '/write');
    assert.deepEqual(trip.seen, { user: 'a' });
    assert.deepEqual(trip.response.session, { user: 'a', n: 1, [ringTokenKey]: token });
  });

  it('X-09: the origin check still applies to a valid Kit token', async () => {
    const token = kitToken();
    const { response } = await send({ [ringTokenKey]: token }, 'POST', '/', {
      form: { [csrfField]: token },
      headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.test' },
    });
    assert.equal(response.status, 403);
  });

  it('the two formats do not mix: a Kit token is no masked token, and _csrf is ignored in ring mode', async () => {
    const token = kitToken();
    const masked = await send(
      { [ringTokenKey]: token },
      'POST',
      '/',
      { form: { [csrfField]: token } },
      {},
    );
    assert.equal(masked.response.status, 403);
    const secret = randomBytes(32).toString('base64url');
    const ring = await send({ [csrfKey]: secret }, 'GET', '/write');
    assert.deepEqual(
      ring.seen,
      { [csrfKey]: secret },
      "sessionkit's own secret is plain data here",
    );
  });

  it('refuses an unknown tokens value at construction', () => {
    assert.throws(() => wrapCsrf({ tokens: 'raw' as 'ring' }), /option tokens is invalid/);
  });
});
