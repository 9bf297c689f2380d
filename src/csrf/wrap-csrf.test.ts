import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from '../../test/support/client.ts';
import { RecordingLogger, request, responseOf } from '../../test/support/fakes.ts';
import { inProcess } from '../../test/support/in-process.ts';
import { compose } from '../core/compose.ts';
import { SessionkitError } from '../core/errors.ts';
import { csrfField, csrfInput, csrfKey, wrapCsrf } from './wrap-csrf.ts';
import type { CsrfFailure, CsrfOptions } from './wrap-csrf.ts';
import { wrapFlash } from '../session/flash.ts';
import { memoryStore } from '../stores/memory/memory-store.ts';
import { wrapSession } from '../session/wrap-session.ts';
import type { Handler, RequestMap } from '../core/types.ts';

let calls = 0;

const routes: Handler = (req) => {
  calls++;
  switch (req.path) {
    case '/form':
      return { status: 200, body: `<form method="post">${csrfInput(req)}</form>` };
    case '/token':
      return { status: 200, body: req.csrfToken ?? '' };
    case '/login':
      return { status: 200, session: { ...req.session, user: 'alice' }, regenerateSession: true };
    case '/login-form':
      return {
        status: 200,
        body: req.csrfToken ?? '',
        session: { ...req.session, user: 'alice' },
        regenerateSession: true,
      };
    case '/logout':
      return { status: 200, session: null };
    case '/logout-form':
      return { status: 200, body: req.csrfToken ?? '', session: null, flash: 'Signed out' };
    case '/replace':
      return { status: 200, session: { fresh: true } };
    case '/flash':
      return { status: 200, flash: 'hi' };
    case '/session':
      return { status: 200, body: JSON.stringify(req.session) };
    default:
      return { status: 200, body: 'OK' };
  }
};

function app(options: CsrfOptions = {}): Handler {
  return compose(
    wrapSession({ store: memoryStore(), logger: new RecordingLogger() }),
    wrapFlash(),
    wrapCsrf(options),
  )(routes);
}

/** A browser of one (the shared test client), calling the app in process. */
function browse(handler: Handler): Client {
  return new Client(inProcess(handler));
}

async function withToken(options?: CsrfOptions): Promise<{ browser: Client; token: string }> {
  const browser = browse(app(options));
  return { browser, token: await browser.text('/token') };
}

/** The secret inside a masked token: the second half XOR the first. */
function unmask(token: string): string {
  const bytes = Buffer.from(token, 'base64url');
  const secret = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) secret[i] = bytes[i]! ^ bytes[32 + i]!;
  return secret.toString('base64url');
}

describe('wrapCsrf', () => {
  it('X-01: GET, HEAD and OPTIONS pass without a token', async () => {
    const browser = browse(app());
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      assert.equal((await browser.send(method, '/')).status, 200, method);
    }
  });

  it('X-01: POST, PUT, PATCH, DELETE and made-up methods without a token get 403 and the handler does not run', async () => {
    const { browser } = await withToken();
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'FOO']) {
      calls = 0;
      const response = await browser.send(method, '/');
      assert.equal(response.status, 403, method);
      assert.equal(calls, 0, method);
    }
  });

  it('X-17: the refusal is a generic 403 with a Content-Type, no token echoed and no Set-Cookie', async () => {
    const { browser, token } = await withToken();
    const response = await browser.send('POST', '/', {
      headers: { 'x-csrf-token': token.slice(0, -2) + 'AA' },
    });
    assert.equal(response.status, 403);
    assert.equal(await response.text(), 'Invalid anti-forgery token');
    assert.match(response.headers.get('content-type')!, /^text\/plain/);
    assert.deepEqual(response.headers.getSetCookie(), []);
  });

  it('calls onFailure with the reason', async () => {
    const reasons: CsrfFailure[] = [];
    const { browser, token } = await withToken({
      onFailure: (_req, reason) => (reasons.push(reason), { status: 418, body: 'no' }),
    });
    assert.equal((await browser.send('POST', '/')).status, 418);
    await browser.send('POST', '/', { headers: { 'x-csrf-token': 'nope' } });
    await browser.send('POST', '/', {
      headers: { 'x-csrf-token': token, 'sec-fetch-site': 'cross-site' },
    });
    assert.deepEqual(reasons, ['missing_token', 'invalid_token', 'cross_origin']);
  });

  it('X-02: accepts the token from the form field, X-CSRF-Token and X-XSRF-Token', async () => {
    const { browser, token } = await withToken();
    assert.equal((await browser.send('POST', '/', { form: { [csrfField]: token } })).status, 200);
    assert.equal(
      (await browser.send('POST', '/', { headers: { 'x-csrf-token': token } })).status,
      200,
    );
    assert.equal(
      (await browser.send('POST', '/', { headers: { 'x-xsrf-token': token } })).status,
      200,
    );
  });

  it('X-02: never reads the token from the query string or a JSON body', async () => {
    const { browser, token } = await withToken();
    assert.equal((await browser.send('POST', `/?${csrfField}=${token}`)).status, 403);
    const json = await browser.request('/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ [csrfField]: token }),
    });
    assert.equal(json.status, 403);
  });

  it('X-02: the first source present decides, even when it is empty or wrong', async () => {
    const { browser, token } = await withToken();
    const wrongField = await browser.send('POST', '/', {
      form: { [csrfField]: 'wrong' },
      headers: { 'x-csrf-token': token },
    });
    assert.equal(wrongField.status, 403);
    const emptyHeader = await browser.send('POST', '/', {
      headers: { 'x-csrf-token': '', 'x-xsrf-token': token },
    });
    assert.equal(emptyHeader.status, 403);
  });

  it("X-04: session A's token with session B's cookie is refused", async () => {
    const shared = app();
    const a = browse(shared);
    const aToken = await a.text('/token');
    const b = browse(shared);
    await b.text('/token');
    assert.equal((await b.send('POST', '/', { headers: { 'x-csrf-token': aToken } })).status, 403);
  });

  it('X-05: a well-formed token without a session is refused', async () => {
    const { browser, token } = await withToken();
    browser.jar.clear();
    assert.equal(
      (await browser.send('POST', '/', { headers: { 'x-csrf-token': token } })).status,
      403,
    );
  });

  it('X-06: tokens carry distinct 256-bit secrets from a CSPRNG, URL- and header-safe', async () => {
    const secrets = new Set<string>();
    const shared = app();
    for (let i = 0; i < 1000; i++) {
      const token = await browse(shared).text('/token');
      assert.match(token, /^[A-Za-z0-9_-]{86}$/);
      secrets.add(unmask(token));
    }
    assert.equal(secrets.size, 1000);
  });

  it('X-07: two renders in one session differ byte for byte and both validate', async () => {
    const browser = browse(app());
    const first = await browser.text('/token');
    const second = await browser.text('/token');
    assert.notEqual(first, second);
    assert.equal(
      (await browser.send('POST', '/', { headers: { 'x-csrf-token': first } })).status,
      200,
    );
    assert.equal(
      (await browser.send('POST', '/', { headers: { 'x-csrf-token': second } })).status,
      200,
    );
  });

  it('X-07: the raw secret never reaches the handler or a response body', async () => {
    let seen: RequestMap | undefined;
    const handler = wrapCsrf()((req) => ((seen = req), { status: 200, body: req.csrfToken ?? '' }));
    const secret = 'S'.repeat(43);
    const response = responseOf(
      await handler({ ...request(), session: { [csrfKey]: secret, user: 'a' } }),
    );
    assert.deepEqual(seen?.session, { user: 'a' });
    assert.ok(!String(response.body).includes(secret));
  });

  it('L-05: a token from before login is refused after it (regenerateSession drops the secret)', async () => {
    const { browser, token } = await withToken();
    const login = await browser.send('POST', '/login', { headers: { 'x-csrf-token': token } });
    assert.equal(login.status, 200);
    assert.equal(
      (await browser.send('POST', '/', { headers: { 'x-csrf-token': token } })).status,
      403,
    );
    const fresh = await browser.text('/token');
    assert.equal(
      (await browser.send('POST', '/', { headers: { 'x-csrf-token': fresh } })).status,
      200,
    );
  });

  it('a token rendered on the response that regenerates the session (no earlier secret) works', async () => {
    const browser = browse(app());
    const token = await browser.text('/login-form');
    assert.equal(
      (await browser.send('POST', '/', { headers: { 'x-csrf-token': token } })).status,
      200,
    );
  });

  it('logout (session null) ends the token with the session', async () => {
    const { browser, token } = await withToken();
    await browser.send('POST', '/logout', { headers: { 'x-csrf-token': token } });
    assert.equal(
      (await browser.send('POST', '/', { headers: { 'x-csrf-token': token } })).status,
      403,
    );
  });

  it('a form rendered on the response that logs out can be posted: its secret moves to the fresh session', async () => {
    const { browser, token } = await withToken();
    const logout = await browser.send('POST', '/logout-form', {
      headers: { 'x-csrf-token': token },
    });
    assert.equal(logout.headers.get('cache-control'), 'no-store');
    const formToken = await logout.text();
    assert.equal(
      (await browser.send('POST', '/', { headers: { 'x-csrf-token': formToken } })).status,
      200,
    );
    assert.deepEqual(
      JSON.parse(await browser.text('/session')) as unknown,
      {},
      'nothing of the ended session is left',
    );
  });

  it('keeps the secret when a handler replaces the session with a new map, or a flash is consumed', async () => {
    const { browser, token } = await withToken();
    await browser.send('GET', '/replace');
    await browser.send('GET', '/flash');
    await browser.send('GET', '/');
    assert.equal(
      (await browser.send('POST', '/', { headers: { 'x-csrf-token': token } })).status,
      200,
    );
  });

  it('L-12: a page that never asks for a token creates no session', async () => {
    const browser = browse(app());
    const response = await browser.send('GET', '/');
    assert.deepEqual(response.headers.getSetCookie(), []);
  });

  it('L-16: a cross-site navigation that arrives without a Strict session cookie stores no new secret', async () => {
    const strict = compose(
      wrapSession({
        store: memoryStore(),
        cookieAttrs: { sameSite: 'strict' },
        logger: new RecordingLogger(),
      }),
      wrapCsrf(),
    )(routes);
    const crossSite = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' };
    const linked = await browse(strict).get('/form', { headers: crossSite });
    assert.equal(linked.status, 200);
    assert.deepEqual(linked.headers.getSetCookie(), [], 'the user may hold a withheld cookie');
    // The same page reached from the site itself starts the session as usual.
    const own = await browse(strict).get('/form', { headers: { 'sec-fetch-site': 'same-origin' } });
    assert.equal(own.headers.getSetCookie().length, 1);
  });

  it('L-16: with the default SameSite=Lax a cross-site link carries the cookie, so a first visit stores its secret', async () => {
    const linked = await browse(app()).get('/form', {
      headers: {
        'sec-fetch-site': 'cross-site',
        'sec-fetch-mode': 'navigate',
        'sec-fetch-dest': 'document',
      },
    });
    assert.equal(linked.headers.getSetCookie().length, 1);
    assert.match(linked.headers.getSetCookie()[0]!, /SameSite=Lax/);
    // A cross-site frame gets no Lax cookie: no session is started for it.
    const framed = await browse(app()).get('/form', {
      headers: {
        'sec-fetch-site': 'cross-site',
        'sec-fetch-mode': 'navigate',
        'sec-fetch-dest': 'iframe',
      },
    });
    assert.deepEqual(framed.headers.getSetCookie(), []);
  });

  it('a page that renders a token writes the session once, then not again', async () => {
    const browser = browse(app());
    assert.equal((await browser.send('GET', '/form')).headers.getSetCookie().length, 1);
    assert.equal((await browser.send('GET', '/form')).headers.getSetCookie().length, 0);
  });

  it('X-09: Sec-Fetch-Site cross-site is refused even with a valid token, unless the origin is trusted', async () => {
    const { browser, token } = await withToken({ trustedOrigins: ['https://partner.test'] });
    const headers = { 'x-csrf-token': token, 'sec-fetch-site': 'cross-site' };
    assert.equal(
      (await browser.send('POST', '/', { headers: { ...headers, origin: 'https://evil.test' } }))
        .status,
      403,
    );
    assert.equal(
      (await browser.send('POST', '/', { headers: { ...headers, origin: 'https://partner.test' } }))
        .status,
      200,
    );
  });

  it('X-09: same-site is untrusted by default; same-origin and none go on to the token check', async () => {
    const { browser, token } = await withToken();
    const post = (site: string, t?: string) =>
      browser.send('POST', '/', {
        headers: { 'sec-fetch-site': site, ...(t ? { 'x-csrf-token': t } : {}) },
      });
    assert.equal((await post('same-site', token)).status, 403);
    assert.equal((await post('same-origin', token)).status, 200);
    assert.equal((await post('none', token)).status, 200);
    assert.equal((await post('same-origin')).status, 403);
    assert.equal((await post('bogus', token)).status, 200);
    assert.equal((await post('bogus')).status, 403);
  });

  it("X-09: without Fetch Metadata an Origin other than the request's own is refused", async () => {
    const { browser, token } = await withToken();
    const post = (origin: string) =>
      browser.send('POST', '/', { headers: { origin, 'x-csrf-token': token } });
    assert.equal((await post('https://evil.test')).status, 403);
    assert.equal((await post('null')).status, 403);
    assert.equal((await post('http://app.test')).status, 200);
  });

  it('X-11: with neither Sec-Fetch-Site nor Origin, the token is required', async () => {
    const { browser, token } = await withToken();
    assert.equal((await browser.send('POST', '/')).status, 403);
    assert.equal(
      (await browser.send('POST', '/', { headers: { 'x-csrf-token': token } })).status,
      200,
    );
  });

  it('X-12: no Content-Type exempts a request', async () => {
    const { browser } = await withToken();
    for (const type of [
      'Application/x-www-form-urlencoded',
      'text/plain;charset=utf-8',
      'multipart/form-data; boundary=x',
      'application/json',
    ]) {
      assert.equal(
        (await browser.send('POST', '/', { headers: { 'content-type': type } })).status,
        403,
        type,
      );
    }
  });

  it('method override cannot make an unsafe request safe, nor a safe one skip the check', async () => {
    const { browser } = await withToken();
    assert.equal(
      (await browser.send('POST', '/', { headers: { 'x-http-method-override': 'GET' } })).status,
      403,
    );
    assert.equal(
      (await browser.send('GET', '/', { headers: { 'x-http-method-override': 'DELETE' } })).status,
      403,
    );
    // A GET body reaches no handler through a host; a RequestMap can still carry one.
    const get = responseOf(await app()(request({ method: 'GET', form: { _method: 'DELETE' } })));
    assert.equal(get.status, 403);
  });

  it('X-14: refuses a CORS-safelisted safeHeader at construction; a custom one skips the token check', async () => {
    for (const name of [
      'Content-Type',
      'Accept',
      'Accept-Language',
      'Content-Language',
      'User-Agent',
      'Cookie',
      'Origin',
      'Referer',
      'Sec-Fetch-Mode',
    ]) {
      assert.throws(() => wrapCsrf({ safeHeader: name }), /option safeHeader/);
    }
    const browser = browse(app({ safeHeader: 'X-Requested-With' }));
    assert.equal(
      (await browser.send('POST', '/', { headers: { 'x-requested-with': 'fetch' } })).status,
      200,
    );
    assert.equal(
      (await browser.send('POST', '/', { headers: { 'x-requested-with': ' ' } })).status,
      403,
    );
  });

  it("X-02: readToken replaces the built-in sources (Ring's :read-token)", async () => {
    const { browser, token } = await withToken({
      readToken: (req) => req.headers['x-forgery-token'] as string | undefined,
    });
    const via = (headers: Record<string, string>) => browser.send('POST', '/', { headers });
    assert.equal((await via({ 'x-forgery-token': token })).status, 200);
    assert.equal(
      (await via({ 'x-csrf-token': token })).status,
      403,
      'the built-in header is not read',
    );
    assert.equal((await via({ 'x-forgery-token': 'A'.repeat(86) })).status, 403);
    assert.equal((await browser.send('POST', '/', { form: { [csrfField]: token } })).status, 403);
  });

  it('X-02: readToken gets the reason missing_token when it returns nothing or a non-string', async () => {
    const reasons: CsrfFailure[] = [];
    const onFailure = (_: RequestMap, reason: CsrfFailure) => (
      reasons.push(reason),
      { status: 403 }
    );
    for (const value of [undefined, null, 42, ['a']]) {
      const handler = app({ readToken: () => value as string | undefined, onFailure });
      assert.equal(responseOf(await handler(request({ method: 'POST' }))).status, 403);
    }
    assert.deepEqual(reasons, ['missing_token', 'missing_token', 'missing_token', 'missing_token']);
  });

  it("refuses a readToken that is not a function, and points Ring's spelling at it", () => {
    assert.throws(() => wrapCsrf({ readToken: 'x-token' as never }), /option readToken is invalid/);
    assert.throws(
      () => wrapCsrf({ 'read-token': () => undefined } as never),
      /did you mean readToken\?/,
    );
  });

  it('X-15: responses to unsafe requests vary on Sec-Fetch-Site and Origin', async () => {
    const { browser, token } = await withToken();
    const passed = await browser.send('POST', '/', { headers: { 'x-csrf-token': token } });
    const refused = await browser.send('POST', '/');
    assert.equal(passed.headers.get('vary'), 'Sec-Fetch-Site, Origin');
    assert.equal(refused.headers.get('vary'), 'Sec-Fetch-Site, Origin');
  });

  it("X-15: keeps a handler's own Vary in any spelling: { VARY: 'Accept' } stays one header with Accept", async () => {
    const handler: Handler = (req) =>
      req.path === '/token'
        ? { status: 200, body: req.csrfToken ?? '' }
        : { status: 200, headers: { VARY: 'Accept' } };
    const browser = browse(
      compose(
        wrapSession({ store: memoryStore(), logger: new RecordingLogger() }),
        wrapCsrf(),
      )(handler),
    );
    const token = await browser.text('/token');
    const response = await browser.send('POST', '/', { headers: { 'x-csrf-token': token } });
    assert.equal(response.status, 200);
    assert.deepEqual(
      [...response.headers].filter(([name]) => name === 'vary'),
      [['vary', 'Accept, Sec-Fetch-Site, Origin']],
    );
  });

  it('X-16: a login POST without a pre-session token is refused', async () => {
    const browser = browse(app());
    assert.equal((await browser.send('POST', '/login', { form: { user: 'alice' } })).status, 403);
  });

  it('onFailure can render the form again with a token', async () => {
    const { browser } = await withToken({
      onFailure: (req) => ({ status: 403, body: csrfInput(req) }),
    });
    const response = await browser.send('POST', '/');
    assert.equal(response.status, 403);
    assert.match(await response.text(), /value="[A-Za-z0-9_-]{86}"/);
  });

  it('X-20: a form re-rendered by onFailure on a first visit stores its secret, so that form works', async () => {
    const browser = browse(app({ onFailure: (req) => ({ status: 403, body: csrfInput(req) }) }));
    const refused = await browser.send('POST', '/form', { form: { message: 'hi' } });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.getSetCookie().length, 1, 'the secret is stored');
    const token = /value="([^"]+)"/.exec(await refused.text())![1]!;
    const again = await browser.send('POST', '/form', { form: { [csrfField]: token } });
    assert.equal(again.status, 200);
  });

  it('X-20: the default refusal reads no token and still sets no cookie; a cross-site one never does', async () => {
    assert.deepEqual((await browse(app()).send('POST', '/form')).headers.getSetCookie(), []);
    const rendering = app({ onFailure: (req) => ({ status: 403, body: csrfInput(req) }) });
    const crossSite = await browse(rendering).send('POST', '/form', {
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' },
    });
    assert.equal(crossSite.status, 403);
    // L-16: a Lax cookie stays home on a cross-site POST; a new session would replace it.
    assert.deepEqual(crossSite.headers.getSetCookie(), []);
  });

  it('X-19: every method override signal makes a GET checked: headers, a _method field or query parameter', async () => {
    const { browser, token } = await withToken();
    for (const name of ['x-http-method', 'x-http-method-override', 'x-method-override']) {
      const refused = await browser.send('GET', '/', { headers: { [name]: 'DELETE' } });
      assert.equal(refused.status, 403, name);
      const passed = await browser.send('GET', '/', {
        headers: { [name]: 'DELETE', 'x-csrf-token': token },
      });
      assert.equal(passed.status, 200, name);
    }
    assert.equal((await browser.send('GET', '/?_method=DELETE')).status, 403);
    assert.equal((await browser.send('HEAD', '/?_method=PUT')).status, 403);
    assert.equal((await browser.send('GET', '/?method=DELETE')).status, 200);
    const get = responseOf(await app()(request({ method: 'GET', form: { _method: 'DELETE' } })));
    assert.equal(get.status, 403);
  });

  it('X-21: a refusal is logged at debug level with its reason, never the token', async () => {
    const logger = new RecordingLogger();
    const { browser, token } = await withToken({ logger });
    await browser.send('POST', '/');
    await browser.send('POST', '/', { headers: { 'x-csrf-token': 'A'.repeat(86) } });
    await browser.send('POST', '/', {
      headers: { 'x-csrf-token': token, 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(logger.debugs.length, 3);
    assert.match(logger.debugs[0]!, /refused a POST request.*missing_token/);
    assert.match(logger.debugs[1]!, /invalid_token/);
    assert.match(logger.debugs[2]!, /cross_origin/);
    assert.ok(logger.debugs.every((line) => !line.includes(token) && !line.includes('AAAA')));
    assert.deepEqual(logger.warnings, []);
  });

  it('L-17: a response that embeds a token is private to the browser: Cache-Control private, Vary: Cookie', async () => {
    const handler: Handler = (req) => {
      const token = req.csrfToken ?? '';
      if (req.path === '/public') {
        return { status: 200, headers: { 'Cache-Control': 'public, max-age=60' }, body: token };
      }
      if (req.path === '/no-store') {
        return { status: 200, headers: { 'cache-control': 'no-store' }, body: token };
      }
      return { status: 200, body: token };
    };
    const browser = browse(
      compose(
        wrapSession({ store: memoryStore(), logger: new RecordingLogger() }),
        wrapCsrf(),
      )(handler),
    );
    const first = await browser.get('/');
    assert.equal(first.headers.get('cache-control'), 'private');
    assert.match(first.headers.get('vary')!, /\bCookie\b/);
    const again = await browser.get('/'); // the secret exists: no cookie, still a token
    assert.deepEqual(again.headers.getSetCookie(), []);
    assert.equal(again.headers.get('cache-control'), 'private');
    assert.equal(again.headers.get('vary'), 'Cookie');
    assert.equal(
      (await browser.get('/public')).headers.get('cache-control'),
      'max-age=60, private',
    );
    assert.equal((await browser.get('/no-store')).headers.get('cache-control'), 'no-store');
  });

  it('says so when it runs without wrapSession, naming the fix', async () => {
    const handler = wrapCsrf()(() => ({ status: 200 }));
    await assert.rejects(
      Promise.resolve(handler(request())),
      (error: unknown) =>
        error instanceof SessionkitError &&
        error.code === 'missing_middleware' &&
        /apply wrapSession outside it/.test(error.message),
    );
  });

  it('rejects invalid trustedOrigins at construction', () => {
    assert.throws(() => wrapCsrf({ trustedOrigins: ['evil.test'] }), /option trustedOrigins/);
    assert.throws(
      () => wrapCsrf({ trustedOrigins: ['https://a.test/path'] }),
      /option trustedOrigins/,
    );
  });

  it('csrfInput renders the hidden input', async () => {
    const browser = browse(app());
    const body = await browser.text('/form');
    assert.match(
      body,
      new RegExp(
        `<input id="${csrfField}" name="${csrfField}" type="hidden" value="[A-Za-z0-9_-]{86}" />`,
      ),
    );
  });

  it('csrfInput HTML-escapes the value it writes', () => {
    assert.equal(
      csrfInput({ csrfToken: `<"&'>` }),
      `<input id="${csrfField}" name="${csrfField}" type="hidden" value="&lt;&quot;&amp;&#39;&gt;" />`,
    );
  });
});
