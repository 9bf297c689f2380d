// The flows every host must serve identically, written once. Each `*.test.ts` beside this
// file runs them on one driver; a new host adds a driver and nothing else.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SessionkitError } from '../../src/core/errors.ts';
import { Client, formToken } from '../support/client.ts';
import type { Driver, Started } from './drivers.ts';

const secret = 'Scenario-Kq9Lw2Zr7Tn5Vb1Hm8Jd3Gs6Fc0Pa';
const newSecret = 'Rotated-Xb4Nm8Qw2Er6Ty0Ui3Op7As1Df5Gh9';

const stores = ['cookie', 'memory'] as const;
type Store = (typeof stores)[number];

/** Flips one character in the middle of a cookie value. */
function tamper(value: string): string {
  const i = Math.floor(value.length / 2);
  return value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1);
}

export function scenarios(driver: Driver): void {
  for (const store of stores) {
    describe(`scenarios on ${driver.name}, ${store} store`, () => {
      let app: Started;
      before(async () => {
        app = await driver.start({ COOKIE_SECRET: secret, SESSION_STORE: store });
      });
      after(() => app.close());
      const client = () => new Client((path, init) => app.fetch(path, init));

      it("Kit's routes: /login/:id sets the user, /remove takes it out, /logout ends the session", async () => {
        const browser = client();
        const login = await browser.get('/login/alice');
        assert.equal(login.status, 200);
        assert.equal(await login.text(), 'User set to: alice');
        assert.deepEqual(await browser.json('/session'), { user: 'alice' });

        assert.equal(await browser.text('/remove'), 'User removed');
        assert.deepEqual(await browser.json('/session'), {});

        await browser.get('/login/bob');
        const logout = await browser.get('/logout');
        assert.equal(await logout.text(), 'Session cleared');
        assert.match(logout.headers.getSetCookie().join('\n'), /^session=; .*Max-Age=0/m);
        assert.equal(browser.cookie('session'), undefined);
        assert.deepEqual(await browser.json('/session'), {});
      });

      it('the sign-in form: POST /login regenerates the session, flashes a welcome once and redirects to /; POST /logout signs out', async () => {
        const browser = client();
        const home = await browser.text('/');
        assert.match(home, /<form method="post" action="\/login">/);
        assert.match(home, /<input name="user"/);
        const before = browser.cookie('session');
        assert.ok(before, 'the form page holds a token, so it started a session');
        const signIn = await browser.post('/login', {
          '__anti-forgery-token': formToken(home),
          user: 'alice',
        });
        assert.equal(signIn.status, 303);
        assert.equal(signIn.headers.get('location'), '/');
        assert.notEqual(browser.cookie('session'), before, 'L-04: a new session key');

        const welcome = await browser.text('/');
        assert.match(welcome, /<p role="status">Welcome, alice<\/p>/);
        assert.match(welcome, /Signed in as alice/);
        assert.match(welcome, /<form method="post" action="\/logout">/);
        const again = await browser.text('/');
        assert.doesNotMatch(again, /role="status"/, 'the flash shows once');
        assert.match(again, /Signed in as alice/);

        const signOut = await browser.post('/logout', { '__anti-forgery-token': formToken(again) });
        assert.equal(signOut.status, 303);
        assert.equal(signOut.headers.get('location'), '/');
        assert.equal(browser.cookie('session'), undefined);
        assert.doesNotMatch(await browser.text('/'), /Signed in as/);
      });

      it('X-16: the sign-in form needs its token; a token from before sign-in is refused after it', async () => {
        const browser = client();
        assert.equal((await browser.post('/login', { user: 'mallory' })).status, 403);
        const token = formToken(await browser.text('/'));
        await browser.post('/login', { '__anti-forgery-token': token, user: 'alice' });
        assert.equal(
          (await browser.post('/logout', { '__anti-forgery-token': token })).status,
          403,
        );
        assert.match(await browser.text('/'), /Signed in as alice/);
      });

      it('F-04: a user name is escaped wherever it is shown', async () => {
        const browser = client();
        const user = `<img src=x onerror="alert('1')">&amp;`;
        const token = formToken(await browser.text('/'));
        await browser.post('/login', { '__anti-forgery-token': token, user });
        const page = await browser.text('/');
        assert.ok(!page.includes('<img'), 'no markup from the user');
        const escaped = '&#60;img src=x onerror=&#34;alert(&#39;1&#39;)&#34;&#62;&#38;amp;';
        assert.ok(page.includes(`<p role="status">Welcome, ${escaped}</p>`));
        assert.ok(page.includes(`Signed in as ${escaped}`));
      });

      it('a sign-in without a user, or with one longer than 1000 bytes, is a 400', async () => {
        const browser = client();
        const token = formToken(await browser.text('/'));
        for (const user of ['', '   ', '€'.repeat(334)]) {
          const response = await browser.post('/login', { '__anti-forgery-token': token, user });
          assert.equal(response.status, 400, JSON.stringify(user.slice(0, 5)));
        }
        const fits = await browser.post('/login', {
          '__anti-forgery-token': token,
          user: '€'.repeat(333),
        });
        assert.equal(fits.status, 303);
      });

      it('lengths count bytes: a thousand € in /flash/set?msg= or in /login/:id is a 400, never a 500', async () => {
        const browser = client();
        const euros = encodeURIComponent('€'.repeat(1000));
        assert.equal((await browser.get(`/flash/set?msg=${euros}`)).status, 400);
        assert.equal((await browser.get(`/login/${euros}`)).status, 400);
        assert.equal((await browser.get(`/login/${'x'.repeat(1001)}`)).status, 400);
        assert.equal((await browser.get(`/flash/set?msg=${'x'.repeat(1000)}`)).status, 303);
        assert.deepEqual(app.logger.errors, []);
      });

      it('a flash set without msg sets no flash', async () => {
        const browser = client();
        const set = await browser.get('/flash/set');
        assert.equal(set.status, 303);
        assert.deepEqual(set.headers.getSetCookie(), []);
        assert.deepEqual(await browser.json('/flash/show'), { flash: null });
      });

      it('/cookies shows the request cookies but never the HttpOnly session cookie', async () => {
        const browser = client();
        await browser.get('/login/alice');
        await browser.get('/cookies/set');
        assert.ok(browser.cookie('session'));
        assert.deepEqual(await browser.json('/cookies'), { theme: { value: 'dark' } });
      });

      it('F-01: a flash set before a redirect is seen exactly once', async () => {
        const browser = client();
        const set = await browser.get('/flash/set?msg=hello%20world');
        assert.equal(set.status, 303);
        assert.equal(set.headers.get('location'), '/flash/show');
        assert.deepEqual(await browser.json('/flash/show'), { flash: 'hello world' });
        assert.deepEqual(await browser.json('/flash/show'), { flash: null });
      });

      it('L-04: logging in moves the session to a new key; the old key does not carry the login', async () => {
        const browser = client();
        await browser.get('/session/put?k=theme&v=dark');
        const before = browser.cookie('session');
        assert.ok(before);
        await browser.get('/login/alice');
        const afterLogin = browser.cookie('session');
        assert.ok(afterLogin);
        assert.notEqual(afterLogin, before);
        assert.deepEqual(await browser.json('/session'), { theme: 'dark', user: 'alice' });

        const fixated = client();
        fixated.jar.set('session', before);
        const seen = (await fixated.json('/session')) as Record<string, unknown>;
        assert.equal(seen.user, undefined);
      });

      it('X-01: a form posted with its token is accepted; without one it is refused', async () => {
        const browser = client();
        const token = formToken(await browser.text('/form'));
        const ok = await browser.post('/form', { '__anti-forgery-token': token, message: 'hi' });
        assert.equal(ok.status, 200);
        assert.equal(await ok.text(), 'Form OK');
        const refused = await browser.post('/form', { message: 'hi' });
        assert.equal(refused.status, 403);
        assert.equal(await refused.text(), 'Invalid anti-forgery token');
      });

      it('X-09: a form posted from another origin is refused even with a valid token', async () => {
        const browser = client();
        const token = formToken(await browser.text('/form'));
        for (const headers of [
          { origin: 'http://evil.example' },
          { 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' },
        ]) {
          const refused = await browser.post(
            '/form',
            { '__anti-forgery-token': token },
            { headers },
          );
          assert.equal(refused.status, 403, JSON.stringify(headers));
        }
      });

      it('L-05: a token from before login is refused after it', async () => {
        const browser = client();
        const token = formToken(await browser.text('/form'));
        await browser.get('/login/alice');
        const refused = await browser.post('/form', { '__anti-forgery-token': token });
        assert.equal(refused.status, 403);
      });

      it('C-02: a tampered session cookie is no session, never an error', async () => {
        const browser = client();
        await browser.get('/login/alice');
        browser.jar.set('session', tamper(browser.cookie('session')!));
        const response = await browser.get('/session');
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), {});
      });

      oversize(store, () => app, client);
    });
  }

  describe(`scenarios on ${driver.name}: secret rotation`, () => {
    it('C-06: a cookie sealed with a previous secret opens and is re-sealed with the current one', async () => {
      const old = await driver.start({ COOKIE_SECRET: secret });
      const browser = new Client((path, init) => old.fetch(path, init));
      try {
        await browser.get('/login/alice');
      } finally {
        await old.close();
      }
      const sealedBefore = browser.cookie('session');

      const rotating = await driver.start({
        COOKIE_SECRET: newSecret,
        COOKIE_SECRET_PREVIOUS: secret,
      });
      const rotated = new Client((path, init) => rotating.fetch(path, init));
      rotated.jar.set('session', sealedBefore!);
      try {
        const response = await rotated.get('/session');
        assert.deepEqual(await response.json(), { user: 'alice' });
        assert.equal(response.headers.getSetCookie().length, 1, 're-sealed on a read');
      } finally {
        await rotating.close();
      }
      assert.notEqual(rotated.cookie('session'), sealedBefore);

      const current = await driver.start({ COOKIE_SECRET: newSecret });
      const after = new Client((path, init) => current.fetch(path, init));
      try {
        after.jar.set('session', rotated.cookie('session')!);
        assert.deepEqual(await after.json('/session'), { user: 'alice' });
        after.jar.set('session', sealedBefore!);
        assert.deepEqual(await after.json('/session'), {}, 'the old secret is gone');
      } finally {
        await current.close();
      }
    });
  });
}

function oversize(store: Store, app: () => Started, client: () => Client): void {
  const big = 'x'.repeat(5000);
  if (store === 'cookie') {
    it('Z-01: a session too large for a cookie is refused with an error naming the size and the remedy', async () => {
      const browser = client();
      await browser.get('/login/alice');
      const before = browser.cookie('session');
      const response = await browser.get(`/session/put?k=notes&v=${big}`);
      assert.equal(response.status, 500);
      assert.equal(await response.text(), 'Internal Server Error');
      assert.equal(browser.cookie('session'), before, 'the previous cookie is kept');
      const error = app().logger.failures.at(-1);
      assert.ok(error instanceof SessionkitError && error.code === 'cookie_too_large');
      assert.match(error.message, /over the 4096-byte limit/);
      assert.match(error.message, /server-side store/);
    });
  } else {
    it('Z-01: a server-side store keeps a session too large for a cookie', async () => {
      const browser = client();
      const response = await browser.get(`/session/put?k=notes&v=${big}`);
      assert.equal(response.status, 200);
      assert.deepEqual(await browser.json('/session'), { notes: big });
    });
  }
}
