import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordingLogger } from '../../test/support/fakes.ts';
import { secretWeakness, sessionOptionsFromEnv } from './env.ts';
import { SessionkitError } from '../core/errors.ts';
import { memoryStore } from '../stores/memory/memory-store.ts';
import { memoryRevocations } from '../session/revocations.ts';
import { Clock } from '../../test/support/clock.ts';

/** Key material, as `npx sessionkit secret` prints it: used without stretching or warning. */
const good = 'CvfsiNAILeWibjCCxCHOVIrMD0ItFIS0vkLpJ6L9sF4';
const goodNew = 'hW3xQ0mZc1Ypk4T7dNvR9sLb2Gf6Jq8Ue5Ka0Xo3Vr4';

function insecure(message: RegExp) {
  return (error: unknown) =>
    error instanceof SessionkitError &&
    error.code === 'insecure_secret' &&
    message.test(error.message);
}

describe('sessionOptionsFromEnv', () => {
  it("builds Kit's settings: cookie store, name, Kit's cookie attributes (but SameSite=Lax), Secure on HTTPS", () => {
    const options = sessionOptionsFromEnv({ COOKIE_SECRET: good });
    assert.equal(options.cookieName, 'session');
    assert.equal(options.store.cookieName, 'session');
    assert.deepEqual(options.cookieAttrs, {
      path: '/',
      httpOnly: true,
      maxAge: 86_400,
      sameSite: 'lax',
    });
    assert.equal(options.secure, 'auto');
  });

  it('honours COOKIE_NAME and the timeouts, and makes the cookie Max-Age the idle timeout', async () => {
    let now = Date.UTC(2026, 0, 1);
    const env = {
      COOKIE_SECRET: good,
      COOKIE_NAME: 'myapp',
      SESSION_IDLE_TIMEOUT: '1800',
      SESSION_ABSOLUTE_TIMEOUT: '28800',
    };
    const options = sessionOptionsFromEnv(env, { now: () => now });
    assert.equal(options.cookieName, 'myapp');
    assert.equal(options.store.cookieName, 'myapp');
    assert.equal(options.cookieAttrs?.maxAge, 1800);
    let key = (await options.store.write(undefined, { v: 1 }))!;
    now += 1_799_000;
    assert.notEqual(await options.store.read(key), undefined);
    now += 1000;
    assert.equal(await options.store.read(key), undefined, 'idle timeout');
    key = (await options.store.write(undefined, { v: 1 }))!;
    for (let i = 0; i < 16; i++) {
      now += 1_790_000;
      key = (await options.store.touch(key))!;
    }
    now += 1_000_000; // 28 640 + 1000 s after creation
    assert.equal(await options.store.read(key), undefined, 'absolute timeout');
  });

  it('K-12: in production the cookie is named __Host-session unless COOKIE_NAME says otherwise', () => {
    const logger = new RecordingLogger();
    const options = sessionOptionsFromEnv(
      { COOKIE_SECRET: good, NODE_ENV: 'production', SESSION_AUDIENCE: 'shop-production' },
      { logger },
    );
    assert.equal(options.cookieName, '__Host-session');
    assert.equal(options.store.cookieName, '__Host-session');
    assert.deepEqual(logger.warnings, []);
    assert.equal(sessionOptionsFromEnv({ COOKIE_SECRET: good }).cookieName, 'session');
  });

  it("K-12: a production COOKIE_NAME is kept (Kit's name); one without a prefix warns", () => {
    const logger = new RecordingLogger();
    const env = {
      COOKIE_SECRET: good,
      NODE_ENV: 'production',
      SESSION_AUDIENCE: 'shop-production',
      COOKIE_NAME: 'myapp-session',
    };
    assert.equal(sessionOptionsFromEnv(env, { logger }).cookieName, 'myapp-session');
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0]!, /COOKIE_NAME .*__Host-/);
    for (const name of ['__Host-myapp', '__Secure-myapp']) {
      const quiet = new RecordingLogger();
      sessionOptionsFromEnv({ ...env, COOKIE_NAME: name }, { logger: quiet });
      assert.deepEqual(quiet.warnings, [], name);
    }
    const development = new RecordingLogger();
    sessionOptionsFromEnv({ ...env, NODE_ENV: 'development' }, { logger: development });
    assert.deepEqual(development.warnings, []);
  });

  it('with a store factory: the store gets the timeouts and the clock, no secret is needed, the cookie keeps Kit attributes', () => {
    const now = () => 0;
    const made: unknown[] = [];
    const store = memoryStore();
    const logger = new RecordingLogger();
    const options = sessionOptionsFromEnv(
      { NODE_ENV: 'production', SESSION_IDLE_TIMEOUT: '1800', COOKIE_NAME: '__Host-s' },
      { logger, now, store: (timeouts) => (made.push(timeouts), store) },
    );
    assert.deepEqual(made, [{ idleTimeoutSeconds: 1800, absoluteTimeoutSeconds: 604_800, now }]);
    assert.equal(options.store, store);
    assert.equal(options.cookieName, '__Host-s');
    assert.equal(options.cookieAttrs?.maxAge, 1800);
    assert.equal(options.secure, true);
    assert.deepEqual(logger.warnings, [], 'no warning about a missing COOKIE_SECRET');
  });

  it('always marks the cookie Secure in production', () => {
    assert.equal(
      sessionOptionsFromEnv({ COOKIE_SECRET: good, NODE_ENV: 'production' }).secure,
      true,
    );
  });

  it('rejects an absolute timeout shorter than the idle timeout, naming both variables', () => {
    assert.throws(
      () =>
        sessionOptionsFromEnv({
          COOKIE_SECRET: good,
          SESSION_IDLE_TIMEOUT: '7200',
          SESSION_ABSOLUTE_TIMEOUT: '3600',
        }),
      (error: unknown) =>
        error instanceof SessionkitError &&
        /SESSION_ABSOLUTE_TIMEOUT.*SESSION_IDLE_TIMEOUT/.test(error.message),
    );
  });

  it('trims COOKIE_SECRET like the previous secrets, so rotation keeps opening its cookies', async () => {
    const before = sessionOptionsFromEnv({ COOKIE_SECRET: `${good}\n` });
    const key = await before.store.write(undefined, { user: 'alice' });
    const after = sessionOptionsFromEnv({
      COOKIE_SECRET: goodNew,
      COOKIE_SECRET_PREVIOUS: `${good}\n`,
    });
    assert.deepEqual((await after.store.read(key!))?.data, { user: 'alice' });
  });

  it('rejects a timeout that is not a positive whole number, naming the variable', () => {
    assert.throws(
      () => sessionOptionsFromEnv({ COOKIE_SECRET: good, SESSION_IDLE_TIMEOUT: '1.5h' }),
      (error: unknown) =>
        error instanceof SessionkitError && /SESSION_IDLE_TIMEOUT/.test(error.message),
    );
  });

  it('K-01: refuses to start in production without COOKIE_SECRET, saying how to make one', () => {
    assert.throws(
      () => sessionOptionsFromEnv({ NODE_ENV: 'production' }),
      insecure(/COOKIE_SECRET is not set.*npx sessionkit secret/),
    );
  });

  it('K-01: NODE_ENV values that differ from production only by case or spaces are production', () => {
    for (const NODE_ENV of ['Production', 'PRODUCTION', ' production ']) {
      assert.throws(
        () => sessionOptionsFromEnv({ NODE_ENV }),
        insecure(/COOKIE_SECRET is not set/),
        NODE_ENV,
      );
    }
  });

  it('K-13: refuses in production the guessable secrets a review found starting today', () => {
    for (const COOKIE_SECRET of [
      'abcdefghijklmnopqrstuvwxyz012345',
      'thisismysupersecretcookiesecretkey',
      'Kit-Example-Secret-Please-Change-Me-123',
    ]) {
      assert.throws(
        () => sessionOptionsFromEnv({ NODE_ENV: 'production', COOKIE_SECRET }),
        insecure(/COOKIE_SECRET is mostly common words or runs/),
        COOKIE_SECRET,
      );
    }
  });

  it("K-01: refuses Kit's documented default secret in production", () => {
    assert.throws(
      () => sessionOptionsFromEnv({ NODE_ENV: 'production', COOKIE_SECRET: '16charsecrethere' }),
      insecure(/COOKIE_SECRET is a well-known placeholder/),
    );
  });

  it('K-02: refuses short, repetitive, low-diversity and all-digit secrets in production', () => {
    for (const secret of [
      'short-but-random-Xq3v8Lm1', // < 32
      'a'.repeat(40),
      'abcd'.repeat(10),
      '1234567890'.repeat(4),
      '16charsecrethere16charsecrethere',
      '16charsecrethere-16charsecrethere',
      'changeme-changeme-changeme-changeme',
      'keyboard cat keyboard cat keyboard cat',
      '<<your secret here, at least 32 characters>>',
    ]) {
      assert.throws(
        () => sessionOptionsFromEnv({ NODE_ENV: 'production', COOKIE_SECRET: secret }),
        insecure(/COOKIE_SECRET/),
      );
    }
  });

  it('K-07: never prints the secret in the error', () => {
    const secret = 'qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq';
    try {
      sessionOptionsFromEnv({ NODE_ENV: 'production', COOKIE_SECRET: secret });
      assert.fail('should throw');
    } catch (error) {
      assert.ok(error instanceof SessionkitError);
      assert.ok(!error.message.includes(secret.slice(0, 8)));
    }
  });

  it('validates COOKIE_SECRET_PREVIOUS entries too, in production', () => {
    assert.throws(
      () =>
        sessionOptionsFromEnv({
          NODE_ENV: 'production',
          COOKIE_SECRET: good,
          COOKIE_SECRET_PREVIOUS: 'changeme',
        }),
      insecure(/COOKIE_SECRET_PREVIOUS \(entry 1\)/),
    );
  });

  it('K-03: in development a missing secret gives a random one and a single warning', () => {
    const logger = new RecordingLogger();
    const options = sessionOptionsFromEnv({}, { logger });
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0]!, /COOKIE_SECRET is not set/);
    assert.equal(typeof options.store.read, 'function');
  });

  it('the warning gives a command that works where it is run, also in a clone of this repository', () => {
    const logger = new RecordingLogger();
    sessionOptionsFromEnv({}, { logger });
    const command = /`(node -e [^`]+)`/.exec(logger.warnings[0]!)?.[1];
    assert.ok(command, logger.warnings[0]);
    const result = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^[A-Za-z0-9_-]{43}\n$/);
  });

  it('K-02: in development a weak secret warns instead of throwing, and a random one is used', async () => {
    for (const weak of ['16charsecrethere', 'a'.repeat(40)]) {
      const logger = new RecordingLogger();
      const one = sessionOptionsFromEnv({ COOKIE_SECRET: weak }, { logger });
      assert.equal(logger.warnings.length, 1);
      assert.match(logger.warnings[0]!, /using a random secret for this process instead/);
      assert.ok(!logger.warnings[0]!.includes(weak));
      const two = sessionOptionsFromEnv({ COOKIE_SECRET: weak }, { logger });
      assert.equal(await two.store.read((await one.store.write(undefined, { n: 1 }))!), undefined);
    }
  });

  it('K-02: counts bytes, not characters, and does not call a non-ASCII secret a placeholder', () => {
    assert.throws(
      () => sessionOptionsFromEnv({ NODE_ENV: 'production', COOKIE_SECRET: 'é'.repeat(15) }),
      insecure(/COOKIE_SECRET is 30 bytes long \(UTF-8\), shorter than the 32 bytes required/),
    );
    assert.throws(
      () => sessionOptionsFromEnv({ NODE_ENV: 'production', COOKIE_SECRET: '€'.repeat(11) }),
      insecure(/COOKIE_SECRET has fewer than 8 distinct characters/),
    );
  });

  it('K-08: takes a passphrase in production, stretched, with a warning that recommends key material', async () => {
    const logger = new RecordingLogger();
    const passphrase = 'correct horse battery staple 2024, sessionkit';
    const env = { NODE_ENV: 'production', COOKIE_SECRET: passphrase, SESSION_AUDIENCE: 'shop' };
    const options = sessionOptionsFromEnv(env, { logger });
    assert.equal(logger.warnings.length, 1);
    assert.match(
      logger.warnings[0]!,
      /COOKIE_SECRET is not key material.*scrypt.*npx sessionkit secret/,
    );
    assert.ok(!logger.warnings[0]!.includes(passphrase));
    const again = sessionOptionsFromEnv(env, { logger });
    const key = (await options.store.write(undefined, { user: 'alice' }))!;
    assert.deepEqual((await again.store.read(key))?.data, { user: 'alice' });
  });

  it('K-10: binds SESSION_AUDIENCE: a cookie from another deployment on the same secret does not open', async () => {
    const logger = new RecordingLogger();
    const staging = sessionOptionsFromEnv({
      COOKIE_SECRET: good,
      SESSION_AUDIENCE: 'shop-staging',
    });
    const production = sessionOptionsFromEnv(
      { NODE_ENV: 'production', COOKIE_SECRET: good, SESSION_AUDIENCE: 'shop-production' },
      { logger },
    );
    assert.deepEqual(logger.warnings, []);
    const key = (await staging.store.write(undefined, { admin: true }))!;
    assert.equal(await production.store.read(key), undefined);
    assert.deepEqual((await staging.store.read(key))?.data, { admin: true });
  });

  it('K-10: warns in production when SESSION_AUDIENCE is unset, naming the fix', () => {
    const logger = new RecordingLogger();
    sessionOptionsFromEnv({ NODE_ENV: 'production', COOKIE_SECRET: good }, { logger });
    assert.equal(logger.warnings.length, 1);
    assert.match(
      logger.warnings[0]!,
      /SESSION_AUDIENCE is not set.*never share secrets across environments/,
    );
    const quiet = new RecordingLogger();
    sessionOptionsFromEnv({ COOKIE_SECRET: good }, { logger: quiet });
    assert.deepEqual(quiet.warnings, [], 'development does not warn');
  });

  it('rejects a SESSION_AUDIENCE that is not printable, naming the variable', () => {
    assert.throws(
      () => sessionOptionsFromEnv({ COOKIE_SECRET: good, SESSION_AUDIENCE: 'shop\u0000prod' }),
      (error: unknown) =>
        error instanceof SessionkitError &&
        error.code === 'invalid_option' &&
        /SESSION_AUDIENCE is invalid/.test(error.message),
    );
  });

  it('C-06: a cookie sealed with COOKIE_SECRET_PREVIOUS still opens after rotation, marked for re-sealing', async () => {
    const old = 'Pw4Lk8Mz2Qx6Rv0Tn3Bj7Hc1Yf5Gd9Sa0Ue2Ko4Xi6Qe';
    const before = sessionOptionsFromEnv({ COOKIE_SECRET: old });
    const key = await before.store.write(undefined, { user: 'alice' });
    const after = sessionOptionsFromEnv({ COOKIE_SECRET: good, COOKIE_SECRET_PREVIOUS: old });
    const read = await after.store.read(key!);
    assert.deepEqual(read?.data, { user: 'alice' });
    assert.equal(read?.stale, true);
  });
});

describe('sessionOptionsFromEnv with revocations', () => {
  it('L-07: gives the cookie store the list, so a deleted session no longer opens', async () => {
    const clock = new Clock();
    const revocations = memoryRevocations({ now: clock.now });
    const { store } = sessionOptionsFromEnv(
      { COOKIE_SECRET: good },
      { revocations, now: clock.now },
    );
    const key = (await store.write(undefined, { user: 'alice' }))!;
    await store.delete(key);
    assert.equal(await store.read(key), undefined);
  });

  it('refuses a list with a server-side store or SESSION_STORE=ring, and one kept shorter than SESSION_ABSOLUTE_TIMEOUT', () => {
    const revocations = memoryRevocations({ absoluteTimeoutSeconds: 86_400 });
    const refused = (message: RegExp) => (error: unknown) =>
      error instanceof SessionkitError &&
      error.code === 'invalid_option' &&
      message.test(error.message);
    assert.throws(
      () => sessionOptionsFromEnv({}, { revocations, store: () => memoryStore() }),
      refused(/option revocations is invalid: got "a list with options.store"/),
    );
    assert.throws(
      () => sessionOptionsFromEnv({ SESSION_STORE: 'ring' }, { revocations }),
      refused(/option revocations is invalid/),
    );
    assert.throws(
      () => sessionOptionsFromEnv({ COOKIE_SECRET: good }, { revocations }),
      refused(/at least absoluteTimeoutSeconds \(604800 s\)/),
    );
    assert.ok(
      sessionOptionsFromEnv(
        { COOKIE_SECRET: good, SESSION_ABSOLUTE_TIMEOUT: '86400' },
        { revocations },
      ),
    );
  });
});

describe('secretWeakness', () => {
  it('accepts 32 random bytes in base64url', () => {
    assert.equal(secretWeakness('mF3q-Zx9_Lw2Pk7Rt5Nb0Vc8Hy4Jd6Gs1Ea3Qu8Ot2'), undefined);
  });

  it('K-01: names placeholders', () => {
    assert.equal(secretWeakness('changeme'), 'is a well-known placeholder value');
  });
});
