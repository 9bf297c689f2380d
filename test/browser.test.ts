// The example application in a real headless Chromium: the browser stores and sends the
// session cookie, submits the protected form, and refuses nothing we rely on.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext } from 'playwright-core';
import { findChromium, howToInstall } from '../scripts/chromium.mjs';
import { createApp } from '../examples/app/app.ts';
import {
  compose,
  csrfInput,
  html,
  json,
  memoryStore,
  text,
  wrapCsrf,
  wrapSession,
} from '../src/index.ts';
import { serve } from '../src/node.ts';
import type { Server } from '../src/node.ts';
import { RecordingLogger } from './support/fakes.ts';

let server: Server;
/** An application that chose `SameSite=Strict` for its session cookie. */
let strict: Server;
let attacker: ReturnType<typeof createServer>;
let attackerUrl: string;
let attackerPort: number;
let browser: Browser;

before(async () => {
  const executablePath = await findChromium();
  if (executablePath === undefined) {
    throw new Error(`The browser tests need Chromium: ${howToInstall()}`);
  }
  const app = createApp(
    { COOKIE_SECRET: 'Br0wser-Kq9Lw2Zr7Tn5Vb1Hm8Jd3Gs6Fc0Pa' },
    { logger: new RecordingLogger() },
  );
  server = await serve(app, { port: 0, hostname: '127.0.0.1', logger: new RecordingLogger() });
  const strictApp = compose(
    wrapSession({
      store: memoryStore(),
      cookieAttrs: { sameSite: 'strict' },
      logger: new RecordingLogger(),
    }),
    wrapCsrf(),
  )((request) => {
    if (request.path === '/login') {
      return { ...text('signed in'), session: { user: 'alice' }, regenerateSession: true };
    }
    if (request.path === '/form') {
      return html(`<form method="post">${csrfInput(request)}<button>Send</button></form>`);
    }
    return json(request.session ?? {});
  });
  strict = await serve(strictApp, {
    port: 0,
    hostname: '127.0.0.1',
    logger: new RecordingLogger(),
  });
  // Another site (localhost is not the same site as 127.0.0.1): `/` posts to the app, `/link`
  // links to its form, and `/toss` (reached as evil.example.test, a sibling of
  // app.example.test) plants a session cookie for the whole parent domain.
  attacker = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://attacker');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    if (url.pathname === '/link') {
      res.end(`<a id="link" href="${url.searchParams.get('to') ?? ''}">a link to the app</a>`);
    } else if (url.pathname === '/toss') {
      res.setHeader(
        'set-cookie',
        `${url.searchParams.get('cookie') ?? ''}; Domain=example.test; Path=/session`,
      );
      res.end('planted');
    } else {
      res.end(`<form id="f" method="post" action="http://127.0.0.1:${server.port}/form">
      <input type="hidden" name="__anti-forgery-token" value="${'A'.repeat(86)}">
      <button id="go" type="submit">go</button></form>`);
    }
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerPort = (attacker.address() as AddressInfo).port;
  attackerUrl = `http://localhost:${attackerPort}/`;
  browser = await chromium.launch({
    executablePath,
    args: [
      // app.example.test and evil.example.test: two subdomains of one site, both this machine.
      '--host-resolver-rules=MAP *.example.test 127.0.0.1',
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await strict?.close();
  attacker?.closeAllConnections();
  await new Promise((resolve) => attacker?.close(resolve));
});

async function fresh(): Promise<BrowserContext> {
  return browser.newContext();
}

describe('example application in Chromium', () => {
  it('keeps the user logged in across pages with the session cookie it was given', async () => {
    const context = await fresh();
    const page = await context.newPage();
    await page.goto(`${server.url}/login/alice`);
    assert.equal(await page.textContent('body'), 'User set to: alice');
    const [cookie] = await context.cookies();
    assert.equal(cookie?.name, 'session');
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Lax');
    await page.goto(`${server.url}/session`);
    assert.deepEqual(JSON.parse((await page.textContent('body'))!), { user: 'alice' });
    await page.goto(`${server.url}/logout`);
    assert.deepEqual(await context.cookies(), []);
    await page.goto(`${server.url}/session`);
    assert.deepEqual(JSON.parse((await page.textContent('body'))!), {});
    await context.close();
  });

  it('shows a flash once after a 303 redirect', async () => {
    const context = await fresh();
    const page = await context.newPage();
    await page.goto(`${server.url}/flash/set?msg=hello%20world`);
    assert.equal(new URL(page.url()).pathname, '/flash/show');
    assert.deepEqual(JSON.parse((await page.textContent('body'))!), { flash: 'hello world' });
    await page.reload();
    assert.deepEqual(JSON.parse((await page.textContent('body'))!), { flash: null });
    await context.close();
  });

  it('submits the protected form with its token: Form OK', async () => {
    const context = await fresh();
    const page = await context.newPage();
    await page.goto(`${server.url}/form`);
    await page.fill('input[name="message"]', 'hi');
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.click('button[type="submit"]'),
    ]);
    assert.equal(response?.status(), 200);
    assert.equal(await page.textContent('body'), 'Form OK');
    await context.close();
  });

  it('signs in with the home page form: the welcome shows once, then who is signed in', async () => {
    const context = await fresh();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.fill('input[name="user"]', 'alice <b>');
    await Promise.all([page.waitForURL(`${server.url}/`), page.click('button[type="submit"]')]);
    assert.equal(await page.textContent('[role="status"]'), 'Welcome, alice <b>');
    assert.match((await page.textContent('body'))!, /Signed in as alice <b>/);
    assert.equal(await page.locator('b').count(), 0, 'the name is text, not markup');
    await page.reload();
    assert.equal(await page.locator('[role="status"]').count(), 0);
    const [signedIn] = await context.cookies();
    await Promise.all([page.waitForURL(`${server.url}/`), page.click('text=Sign out')]);
    assert.equal(await page.locator('input[name="user"]').count(), 1);
    assert.doesNotMatch((await page.textContent('body'))!, /Signed in/);
    // The sign-in form on the page it lands on holds a token: a new, anonymous session.
    const [anonymous] = await context.cookies();
    assert.notEqual(anonymous?.value, signedIn?.value);
    await context.close();
  });

  it('L-16: a link from another site to a page with a form leaves the user signed in', async () => {
    const context = await fresh();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.fill('input[name="user"]', 'alice');
    await Promise.all([page.waitForURL(`${server.url}/`), page.click('button[type="submit"]')]);
    const link = `${attackerUrl}link?to=${encodeURIComponent(`${server.url}/form`)}`;
    await page.goto(link); // localhost: another site
    await Promise.all([page.waitForURL(`${server.url}/form`), page.click('#link')]);
    assert.equal(await page.locator('input[name="__anti-forgery-token"]').count(), 1);
    await page.goto(`${server.url}/`);
    assert.match((await page.textContent('body'))!, /Signed in as alice/);
    await context.close();
  });

  it('L-16: with SameSite=Strict too, a link from another site does not replace the session', async () => {
    const context = await fresh();
    const page = await context.newPage();
    await page.goto(`${strict.url}/login`);
    await page.goto(`${attackerUrl}link?to=${encodeURIComponent(`${strict.url}/form`)}`);
    await Promise.all([page.waitForURL(`${strict.url}/form`), page.click('#link')]);
    assert.equal(await page.locator('input[name="__anti-forgery-token"]').count(), 1);
    await page.goto(`${strict.url}/session`);
    assert.deepEqual(JSON.parse((await page.textContent('body'))!), { user: 'alice' });
    await context.close();
  });

  it('P-01: a session cookie planted by a sibling subdomain does not swap the user into it', async () => {
    // Mallory signs in on her own and takes her valid session cookie.
    const mallory = await fetch(`${server.url}/login/mallory`);
    const planted = mallory.headers.getSetCookie()[0]!.split(';')[0]!;
    const app = `http://app.example.test:${server.port}`;
    const context = await fresh();
    const page = await context.newPage();
    await page.goto(`${app}/login/alice`);
    await page.goto(
      `http://evil.example.test:${attackerPort}/toss?cookie=${encodeURIComponent(planted)}`,
    );
    const sent = (await context.cookies(`${app}/session`)).filter((c) => c.name === 'session');
    assert.equal(sent.length, 2, 'the browser holds both cookies and sends the planted one first');
    assert.equal(sent.find((c) => c.domain === '.example.test')?.path, '/session');
    await page.goto(`${app}/session`);
    const seen = JSON.parse((await page.textContent('body'))!) as Record<string, unknown>;
    assert.notEqual(seen.user, 'mallory', 'never the planted session');
    assert.deepEqual(seen, {}, 'two valid sessions: none (fail closed)');
    await context.close();
  });

  it('refuses the same form posted from another site', async () => {
    const context = await fresh();
    const page = await context.newPage();
    await page.goto(`${server.url}/form`); // the victim has a session with a token
    await page.goto(attackerUrl);
    const [response] = await Promise.all([page.waitForNavigation(), page.click('#go')]);
    assert.equal(response?.status(), 403);
    assert.equal(await page.textContent('body'), 'Invalid anti-forgery token');
    await context.close();
  });
});
