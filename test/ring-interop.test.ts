// Live interop with a real Ring server (test/ring-server/: Debian's Ring on Jetty, configured
// as a Kit project's session stack) and the example application, both on 127.0.0.1 and
// sharing one cookie jar as a browser would (cookies are per host, not per port).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createApp } from '../examples/app/app.ts';
import { serve } from '../src/node.ts';
import type { Server } from '../src/node.ts';
import { parseEdn } from '../src/stores/ring/edn-read.ts';
import { ringCookieStore } from '../src/stores/ring/ring-cookie-store.ts';
import { formDecode, formEncode } from '../src/stores/ring/ring-seal.ts';
import { decodeSessionKey, encodeSessionKey } from '../src/session/session-key.ts';
import { ednValue } from './support/edn-arbitrary.ts';
import { RecordingLogger } from './support/fakes.ts';

const kitSecret = 'QWHZKTMBRPXLVNJD';
const cookieName = 'myapp';
const ringDir = new URL('./ring-server/', import.meta.url).pathname;

let ring!: { url: string; child: ChildProcess };
let shared!: Server; // the example app with SESSION_STORE=ring
let migrating!: Server; // the example app with RING_COOKIE_SECRET
/** How to stop what `before` started, filled as each piece starts. */
const stops: (() => Promise<unknown>)[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts server.clj on a free port and resolves once it answers (JVM start-up: seconds). */
async function startRing(): Promise<typeof ring> {
  const port = await freePort();
  const classpath = spawnSync('sh', [`${ringDir}classpath.sh`], { encoding: 'utf8' }).stdout.trim();
  const child = spawn(
    'java',
    [
      '-Dfile.encoding=UTF-8',
      // The client compiler only: start-up in about half the time; speed is not measured here.
      '-XX:TieredStopAtLevel=1',
      '-cp',
      classpath,
      'clojure.main',
      `${ringDir}server.clj`,
      String(port),
    ],
    {
      env: { ...process.env, COOKIE_SECRET: kitSecret, COOKIE_NAME: cookieName },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.once('error', (error) => (output += `${error.message}\n`));
  if (child.pid === undefined) {
    throw new Error(
      "could not start java: install Debian's clojure and libring-*-clojure packages, as .ci/run does",
    );
  }
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`the Ring server exited:\n${output}`);
    try {
      await fetch(`${url}/session`);
      return { url, child };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  child.kill();
  throw new Error(`the Ring server did not answer within 60 s:\n${output}`);
}

before(async () => {
  const logger = new RecordingLogger();
  const hostOptions = { port: 0, hostname: '127.0.0.1', logger };
  // Each assigned as soon as it runs, so that `after` stops whatever started.
  const started = [
    startRing().then((r) => {
      ring = r;
      stops.push(() => stopRing(r.child));
    }),
    serve(
      createApp(
        { SESSION_STORE: 'ring', COOKIE_SECRET: kitSecret, COOKIE_NAME: cookieName },
        { logger },
      ),
      hostOptions,
    ).then((s) => {
      shared = s;
      stops.push(() => s.close());
    }),
    serve(
      createApp(
        {
          COOKIE_SECRET: 'Xq3v8Lm1Rz6Tw0Pk4Nb7Jy2Hd5Fs9Gc-interop',
          COOKIE_NAME: cookieName,
          RING_COOKIE_SECRET: kitSecret,
        },
        { logger },
      ),
      hostOptions,
    ).then((s) => {
      migrating = s;
      stops.push(() => s.close());
    }),
  ];
  await Promise.allSettled(started);
  await Promise.all(started);
});

after(async () => {
  await Promise.all(stops.map((stop) => stop()));
});

async function stopRing(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** One browser: a cookie jar for 127.0.0.1, whatever the port. */
class Browser {
  jar = new Map<string, string>();

  async get(base: string, path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.jar.size > 0)
      headers.set('cookie', [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(base + path, { redirect: 'manual', ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.slice(0, line.indexOf(';'));
      const name = pair.slice(0, pair.indexOf('='));
      if (/;\s*Max-Age=0(;|$)/i.test(line)) this.jar.delete(name);
      else this.jar.set(name, pair.slice(name.length + 1));
    }
    return response;
  }

  /** What Ring sees as the request's session: GET /session prints it with pr-str. */
  async ringSession(): Promise<Record<string, unknown>> {
    const response = await this.get(ring.url, '/session');
    assert.equal(response.status, 200);
    return parseEdn(await response.text()) as Record<string, unknown>;
  }

  async sessionkitSession(app: Server = shared): Promise<Record<string, unknown>> {
    const response = await this.get(app.url, '/session');
    assert.equal(response.status, 200);
    return (await response.json()) as Record<string, unknown>;
  }

  /**
   * Changes one base64 letter of the sealed data, so that the value is still well-formed:
   * only the MAC can refuse it (Debian's Ring 1.8.2 answers malformed base64 with a 500).
   */
  tamper(): void {
    const sealed = formDecode(this.jar.get(cookieName)!)!;
    const at = sealed.slice(20).search(/[A-Za-z]/) + 20;
    const changed = sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
    this.jar.set(cookieName, formEncode(changed));
  }
}

const tokenKey = 'ring.middleware.anti-forgery/anti-forgery-token';

describe('sharing a session with a Kit application (Ring server, live)', () => {
  it('log in on Ring, read the user in sessionkit', async () => {
    const browser = new Browser();
    const login = await browser.get(ring.url, '/login/alice');
    assert.equal(await login.text(), 'User set to: alice');
    const session = await browser.sessionkitSession();
    assert.equal(session.user, 'alice');
    // Ring stored its anti-forgery token too; wrapCsrf keeps it from handlers.
    assert.equal(session[tokenKey], undefined);
  });

  it('log in on sessionkit, read the user in Ring; a Ring write keeps sessionkit’s times', async () => {
    const browser = new Browser();
    assert.equal(await (await browser.get(shared.url, '/login/bob')).text(), 'User set to: bob');
    const seen = await browser.ringSession();
    assert.equal(seen.user, 'bob');
    assert.equal(typeof seen['sessionkit/created'], 'number');
    await browser.get(ring.url, '/session/put?k=theme&v=dark');
    const session = await browser.sessionkitSession();
    assert.equal(session.user, 'bob');
    assert.equal(session.theme, 'dark');
    assert.equal(session['sessionkit/created'], undefined, 'the times are the store’s, not data');
  });

  it('a tampered cookie is no session on both sides', async () => {
    const fromRing = new Browser();
    await fromRing.get(ring.url, '/login/alice');
    fromRing.tamper();
    assert.deepEqual(await fromRing.sessionkitSession(), {});
    assert.deepEqual(await fromRing.ringSession(), {});

    const fromSessionkit = new Browser();
    await fromSessionkit.get(shared.url, '/login/bob');
    fromSessionkit.tamper();
    assert.deepEqual(await fromSessionkit.ringSession(), {});
    assert.deepEqual(await fromSessionkit.sessionkitSession(), {});
  });

  it('Ring reads every EDN value sessionkit writes, and sessionkit reads what Ring writes back', async () => {
    const store = ringCookieStore({ key: kitSecret });
    const values = fc.sample(ednValue(fc.string({ unit: 'grapheme', maxLength: 12 }), false), {
      numRuns: 60,
      seed: 10,
    });
    for (const value of values) {
      const browser = new Browser();
      // The store key, written and read the way wrapSession does (S-18).
      const cookie = encodeSessionKey(await store.write(undefined, { v: value }));
      browser.jar.set(cookieName, cookie);
      const seen = await browser.ringSession();
      assert.deepStrictEqual(seen.v, value, 'Ring read what was written');
      await browser.get(ring.url, '/session/same'); // Ring re-seals the session it read
      assert.notEqual(browser.jar.get(cookieName), cookie);
      const back = await store.read(decodeSessionKey(browser.jar.get(cookieName)!)!);
      assert.deepStrictEqual(back?.data, { v: value }, 'sessionkit read what Ring wrote');
    }
  });
});

/** POSTs a form with `token` in Ring's field, as a browser encodes it. */
function postForm(browser: Browser, base: string, token: string): Promise<Response> {
  return browser.get(base, '/form', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ '__anti-forgery-token': token, message: 'hi' }).toString(),
  });
}

describe('sharing flash and anti-forgery tokens with a Kit application (live)', () => {
  it('a flash set on Ring shows once on sessionkit', async () => {
    const browser = new Browser();
    await browser.get(ring.url, '/flash/set?msg=from%20kit&mode=respond');
    assert.deepEqual(await (await browser.get(shared.url, '/flash/show')).json(), {
      flash: 'from kit',
    });
    assert.deepEqual(await (await browser.get(shared.url, '/flash/show')).json(), { flash: null });
    assert.equal(await (await browser.get(ring.url, '/flash/show')).text(), 'nil');
  });

  it('a flash set on sessionkit shows once on Ring', async () => {
    const browser = new Browser();
    const set = await browser.get(shared.url, '/flash/set?msg=from%20sessionkit');
    assert.equal(set.status, 303);
    assert.equal(await (await browser.get(ring.url, '/flash/show')).text(), '"from sessionkit"');
    assert.equal(await (await browser.get(ring.url, '/flash/show')).text(), 'nil');
    assert.deepEqual(await (await browser.get(shared.url, '/flash/show')).json(), { flash: null });
  });

  it('a form posted to sessionkit with the token Kit rendered is accepted', async () => {
    const browser = new Browser();
    const token = await (await browser.get(ring.url, '/csrf-token')).text();
    assert.match(token, /^[A-Za-z0-9+/]{80}$/);
    const posted = await postForm(browser, shared.url, token);
    assert.equal(posted.status, 200);
    assert.equal(await posted.text(), 'Form OK');
    assert.equal(
      (
        await postForm(
          browser,
          shared.url,
          token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
        )
      ).status,
      403,
    );
  });

  it('a form posted to Kit with the token sessionkit rendered is accepted', async () => {
    const browser = new Browser();
    const page = await (await browser.get(shared.url, '/form')).text();
    const token = /name="__anti-forgery-token"[^>]*value="([^"]+)"/.exec(page)![1]!;
    assert.match(token, /^[A-Za-z0-9+/]{80}$/, "rendered unmasked, in ring-anti-forgery's format");
    const posted = await postForm(browser, ring.url, token);
    assert.equal(posted.status, 200);
    assert.match(await posted.text(), /^Form OK post /);
    assert.equal(
      (
        await postForm(
          browser,
          ring.url,
          token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
        )
      ).status,
      403,
    );
    assert.equal((await postForm(browser, shared.url, token)).status, 200, 'and by sessionkit');
  });
});

describe('migrating from a Kit application (RING_COOKIE_SECRET, live)', () => {
  it('accepts the Kit cookie and re-seals it in sessionkit format on that response; Ring no longer reads it', async () => {
    const browser = new Browser();
    await browser.get(ring.url, '/login/carol');
    const kitCookie = browser.jar.get(cookieName)!;
    const session = await browser.sessionkitSession(migrating);
    assert.equal(session.user, 'carol');
    const moved = browser.jar.get(cookieName)!;
    assert.notEqual(moved, kitCookie);
    assert.match(moved, /^v\d+\./);
    assert.equal((await browser.sessionkitSession(migrating)).user, 'carol');
    // The move is one way: Ring 1.15 reads sessionkit's format as no session; the Debian
    // Ring 1.8.2 of this server fails on its base64url with a 500 (ring-semantics §4.3).
    const response = await browser.get(ring.url, '/session');
    if (response.status === 200) assert.equal(await response.text(), '{}');
    else assert.equal(response.status, 500);
  });
});
