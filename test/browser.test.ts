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
import { serve } from '../src/node.ts';
import type { Server } from '../src/node.ts';
import { RecordingLogger } from './support/fakes.ts';

let server: Server;
let attacker: ReturnType<typeof createServer>;
let attackerUrl: string;
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
  // Another site (localhost is not the same site as 127.0.0.1) whose page posts to the app.
  attacker = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<form id="f" method="post" action="http://127.0.0.1:${server.port}/form">
      <input type="hidden" name="__anti-forgery-token" value="${'A'.repeat(86)}">
      <button id="go" type="submit">go</button></form>`);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath,
    args: [
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
    assert.equal(cookie?.sameSite, 'Strict');
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
