// The built command, as `npx sessionkit` runs it (npm test builds dist/ before the tests).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { cookieStore } from '../src/stores/cookie/cookie-store.ts';
import { ringCookieStore } from '../src/stores/ring/ring-cookie-store.ts';
import { formEncode, ringKey, sealRing } from '../src/stores/ring/ring-seal.ts';
import { createSealer } from '../src/crypto/seal.ts';

const bin = 'dist/cli.js';

function cli(args: string[], env: Record<string, string> = {}, input?: string) {
  return spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
    ...(input === undefined ? {} : { input }),
  });
}

const current = 'CvfsiNAILeWibjCCxCHOVIrMD0ItFIS0vkLpJ6L9sF4';
const previous = 'hW3xQ0mZc1Ypk4T7dNvR9sLb2Gf6Jq8Ue5Ka0Xo3Vr4';
const other = 'Qx1vB7nM3kL9pT5rW2yC8dF4hJ6gS0aZeUiOoXwVnAA';
const kit = 'Kq9Lw2Zr7Tn5Vb1H';

/** Every secret of these tests: none may ever appear in the command's output (K-07). */
function assertNoSecret(result: { stdout: string; stderr: string }): void {
  for (const secret of [current, previous, other, kit]) {
    assert.ok(!(result.stdout + result.stderr).includes(secret), 'K-07: a secret was printed');
  }
}

describe('sessionkit CLI', () => {
  before(() => {
    assert.ok(existsSync(bin), `${bin} is missing: run \`npm run build\` (npm test does)`);
  });

  it('`sessionkit secret` prints a fresh 32-byte base64url secret each time', () => {
    const a = cli(['secret']);
    const b = cli(['secret']);
    assert.equal(a.status, 0);
    assert.match(a.stdout, /^[A-Za-z0-9_-]{43}\n$/);
    assert.notEqual(a.stdout, b.stdout);
  });

  it('an unknown command prints the usage and exits 2', () => {
    const result = cli(['bogus']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /usage: sessionkit <command>/);
    assert.match(result.stderr, /secret/);
    assert.match(result.stderr, /open \[--json\] <value>/);
  });
});

describe('sessionkit open', () => {
  const env = { COOKIE_SECRET: current, COOKIE_SECRET_PREVIOUS: previous };

  it('prints the data, subject, id, created and last-active times, expiry and the key that opened it; exits 0', async () => {
    const store = cookieStore({ secrets: [current] });
    const value = await store.write(
      undefined,
      { user: 'alice', roles: ['admin'] },
      undefined,
      'u-1',
    );
    const id = store.inspect(value);
    assert.ok(id.opened);
    const result = cli(['open', `session=${value}`], env);
    assert.equal(result.status, 0, result.stderr);
    const out = result.stdout;
    assert.match(
      out,
      new RegExp(`^opened with COOKIE_SECRET \\(key id ${store.keyIds[0]}\\), format v2\\n`),
    );
    assert.match(out, /^state: +valid: a request would read this session$/m);
    assert.match(out, new RegExp(`^session id: +${id.id}$`, 'm'));
    assert.match(out, /^subject: +u-1$/m);
    assert.match(out, /^created: +\d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ s ago\)$/m);
    assert.match(out, /^last active: +\d{4}-.+Z \(\d+ s ago\)$/m);
    assert.match(
      out,
      /^expires: +.+ \(in (23 h 59 min|1 d 0 h)\), without a request for SESSION_IDLE_TIMEOUT; at the latest .+ \(in (6 d 23 h|7 d 0 h)\)/m,
    );
    assert.ok(out.endsWith('data:\n{\n  "user": "alice",\n  "roles": [\n    "admin"\n  ]\n}\n'));
    assertNoSecret(result);
  });

  it('names a previous secret and says the value will be re-sealed', async () => {
    const value = await cookieStore({ secrets: [previous] }).write(undefined, { n: 1 });
    const result = cli(['open', value], env);
    assert.equal(result.status, 0);
    assert.match(
      result.stdout,
      /^opened with COOKIE_SECRET_PREVIOUS entry 1 .*re-seals it with COOKIE_SECRET/,
    );
    assertNoSecret(result);
  });

  it('says why a value does not open, naming key ids and variables, never a secret; exits 1', async () => {
    const foreign = await cookieStore({ secrets: [other] }).write(undefined, {});
    const mine = await cookieStore({ secrets: [current] }).write(undefined, { x: 1 });
    const tampered = mine.slice(0, 20) + (mine[20] === 'A' ? 'B' : 'A') + mine.slice(21);
    const sealer = createSealer({ secrets: [current], cookieName: 'session' });
    const cases: [string, RegExp][] = [
      [
        foreign,
        /^does not open: it was sealed under key id \S{12}, which none of the configured secrets has \(COOKIE_SECRET: \S{12}, COOKIE_SECRET_PREVIOUS entry 1: \S{12}\): another secret sealed it, or another SESSION_AUDIENCE/,
      ],
      [
        tampered,
        /^does not open: it does not authenticate .*another cookie name than session \(COOKIE_NAME\)/,
      ],
      [mine.slice(0, -8), /^does not open: it is cut short or re-encoded/],
      [
        'hello',
        /^does not open: it is not a sessionkit cookie value .*RING_COOKIE_SECRET or SESSION_STORE=ring/,
      ],
      [sealer.seal('[1,2]'), /^does not open: it opens, but holds no session/],
    ];
    for (const [value, message] of cases) {
      const result = cli(['open', value], env);
      assert.equal(result.status, 1, value.slice(0, 20));
      assert.match(result.stdout, message);
      assertNoSecret(result);
    }
  });

  it('K-10: a cookie of another audience on the same secret does not open, and the message says so', async () => {
    const value = await cookieStore({ secrets: [current], audience: 'shop-staging' }).write(
      undefined,
      {},
    );
    const result = cli(['open', value], { ...env, SESSION_AUDIENCE: 'shop-production' });
    assert.equal(result.status, 1);
    assert.match(result.stdout, /another SESSION_AUDIENCE \(shop-production\)/);
    assert.equal(cli(['open', value], { ...env, SESSION_AUDIENCE: 'shop-staging' }).status, 0);
  });

  it('says an expired session is expired, with its data, and exits 1', async () => {
    const twoDaysAgo = () => Date.now() - 2 * 86_400_000;
    const value = await cookieStore({ secrets: [current], now: twoDaysAgo }).write(undefined, {
      old: true,
    });
    const result = cli(['open', value], env);
    assert.equal(result.status, 1);
    assert.match(
      result.stdout,
      /^state: +expired: no request for SESSION_IDLE_TIMEOUT \(86400 s\)/m,
    );
    assert.match(result.stdout, /"old": true/);
    const longer = cli(['open', value], { ...env, SESSION_IDLE_TIMEOUT: '259200' });
    assert.equal(longer.status, 0, 'the timeouts come from the environment');
  });

  it('--json gives the same facts as JSON; - reads the value from standard input', async () => {
    const value = await cookieStore({ secrets: [current] }).write(undefined, { user: 'alice' });
    const result = cli(['open', '--json', '-'], env, `${value}\n`);
    assert.equal(result.status, 0);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(report.opens, true);
    assert.equal(report.key, 'COOKIE_SECRET');
    assert.equal(report.state, 'valid');
    assert.equal(report.subject, null);
    assert.deepEqual(report.data, { user: 'alice' });
    assert.match(String(report.expiresAt), /^\d{4}-\d\d-\d\dT/);
    const failed = JSON.parse(cli(['open', '--json', 'nope'], env).stdout) as Record<
      string,
      unknown
    >;
    assert.deepEqual([failed.opens, failed.reason], [false, 'unknown-format']);
  });

  it("opens Kit's cookies with RING_COOKIE_SECRET or SESSION_STORE=ring", async () => {
    const ring = await ringCookieStore({ key: kit }).write(undefined, { user: 'alice' });
    const migrated = cli(['open', ring], { ...env, RING_COOKIE_SECRET: kit });
    assert.equal(migrated.status, 0, migrated.stdout + migrated.stderr);
    assert.match(migrated.stdout, /^opened with RING_COOKIE_SECRET \(Kit's format/);
    assert.match(migrated.stdout, /"user": "alice"/);
    const shared = cli(['open', ring], { COOKIE_SECRET: kit, SESSION_STORE: 'ring' });
    assert.equal(shared.status, 0);
    assert.match(shared.stdout, /^opened with COOKIE_SECRET \(Ring's format, SESSION_STORE=ring\)/);
    // As Kit seals it: no times.
    const bare = formEncode(sealRing(ringKey(kit, 'test'), '{:user "bob", :role :admin}'));
    const kitOwn = cli(['open', bare], { COOKIE_SECRET: kit, SESSION_STORE: 'ring' });
    assert.equal(kitOwn.status, 0);
    assert.match(kitOwn.stdout, /^times: +none \(sealed by Kit\)/m);
    assert.match(kitOwn.stdout, /"role": "admin"/);
    const wrongKey = cli(['open', bare], {
      COOKIE_SECRET: 'Zz9Lw2Zr7Tn5Vb1H',
      SESSION_STORE: 'ring',
    });
    assert.equal(wrongKey.status, 1);
    assert.match(wrongKey.stdout, /its MAC does not match/);
    for (const result of [migrated, shared, kitOwn, wrongKey]) assertNoSecret(result);
  });

  it('refuses to run without COOKIE_SECRET, or with a usage error, exiting 2', () => {
    const missing = cli(['open', 'v2.x'], {});
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^sessionkit open: COOKIE_SECRET is not set/);
    const weak = cli(['open', 'v2.x'], { COOKIE_SECRET: 'changeme' });
    assert.equal(weak.status, 2);
    assert.doesNotMatch(weak.stderr, /changeme/);
    assert.equal(cli(['open'], env).status, 2);
    assert.equal(cli(['open', 'a', 'b'], env).status, 2);
    assert.equal(cli(['open', 'x'], { ...env, SESSION_STORE: 'redis' }).status, 2);
  });
});
