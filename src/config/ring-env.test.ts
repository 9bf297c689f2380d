import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordingLogger } from '../../test/support/fakes.ts';
import { SessionkitError } from '../core/errors.ts';
import { memoryStore } from '../stores/memory/memory-store.ts';
import { ringKey, sealRing, unsealRing } from '../stores/ring/ring-seal.ts';
import { sessionOptionsFromEnv } from './env.ts';
import { csrfOptionsFromEnv } from './ring-env.ts';

const good = 'Xq3v8Lm1Rz6Tw0Pk4Nb7Jy2Hd5Fs9Gc-config';
const kitSecret = 'QWHZKTMBRPXLVNJD'; // the shape Kit's generator gives: 16 letters A-Z

/** A session Kit sealed: the store key, as wrapSession hands it to a store. */
const kitCookie = (secret: string, edn: string): string => sealRing(ringKey(secret, 'test'), edn);

const fails = (code: string, message: RegExp) => (error: unknown) =>
  error instanceof SessionkitError && error.code === code && message.test(error.message);

describe('sessionOptionsFromEnv: SESSION_STORE=ring', () => {
  it("seals in Ring's format with the Kit application's 16-byte COOKIE_SECRET, and reads Kit's cookies", async () => {
    const logger = new RecordingLogger();
    const options = sessionOptionsFromEnv(
      { SESSION_STORE: 'ring', COOKIE_SECRET: kitSecret, COOKIE_NAME: 'myapp' },
      { logger },
    );
    assert.equal(options.cookieName, 'myapp');
    assert.equal(options.store.cookieName, undefined, "Ring's format binds no cookie name");
    const value = (await options.store.write(undefined, { user: 'alice' }))!;
    assert.match(
      unsealRing(ringKey(kitSecret, 'test'), value)!,
      /^\{:user "alice", :sessionkit\/created/,
    );
    const read = await options.store.read(kitCookie(kitSecret, '{:user "bob"}'));
    assert.deepEqual(read?.data, { user: 'bob' });
    assert.deepEqual(logger.warnings, []);
  });

  it("uses Kit's documented default key in development when COOKIE_SECRET is unset, with a warning", async () => {
    const logger = new RecordingLogger();
    const options = sessionOptionsFromEnv({ SESSION_STORE: 'ring' }, { logger });
    const read = await options.store.read(kitCookie('16charsecrethere', '{:user "dev"}'));
    assert.deepEqual(read?.data, { user: 'dev' });
    assert.equal(logger.warnings.length, 1);
    assert.match(
      logger.warnings[0]!,
      /COOKIE_SECRET is not set; SESSION_STORE=ring uses Kit's documented default key/,
    );
  });

  it('K-01: in production refuses an unset, default or low-entropy key, and notes the weaker format once', () => {
    for (const COOKIE_SECRET of [
      undefined,
      '16charsecrethere',
      'AAAAAAAAAAAAAAAA',
      '1234567890123456',
    ]) {
      assert.throws(
        () =>
          sessionOptionsFromEnv({ SESSION_STORE: 'ring', NODE_ENV: 'production', COOKIE_SECRET }),
        fails('insecure_secret', /COOKIE_SECRET/),
        String(COOKIE_SECRET),
      );
    }
    const logger = new RecordingLogger();
    sessionOptionsFromEnv(
      { SESSION_STORE: 'ring', NODE_ENV: 'production', COOKIE_SECRET: kitSecret },
      { logger },
    );
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0]!, /Ring's weaker format/);
    assert.ok(!logger.warnings[0]!.includes(kitSecret), 'K-07');
  });

  it('refuses a key that is not 16 bytes, without quoting it (K-07)', () => {
    for (const COOKIE_SECRET of ['QWHZKTMBRPXLVNJ', good]) {
      assert.throws(
        () => sessionOptionsFromEnv({ SESSION_STORE: 'ring', COOKIE_SECRET }),
        (e: unknown) =>
          fails(
            'invalid_option',
            /COOKIE_SECRET is invalid: got \d+ bytes, expected exactly 16 bytes/,
          )(e) && !(e as Error).message.includes(COOKIE_SECRET),
      );
    }
  });

  it('refuses RING_COOKIE_SECRET, COOKIE_SECRET_PREVIOUS and unknown SESSION_STORE values with it', () => {
    assert.throws(
      () =>
        sessionOptionsFromEnv({
          SESSION_STORE: 'ring',
          COOKIE_SECRET: kitSecret,
          RING_COOKIE_SECRET: kitSecret,
        }),
      fails('invalid_option', /RING_COOKIE_SECRET is invalid: got a value with SESSION_STORE=ring/),
    );
    assert.throws(
      () =>
        sessionOptionsFromEnv({
          SESSION_STORE: 'ring',
          COOKIE_SECRET: kitSecret,
          COOKIE_SECRET_PREVIOUS: good,
        }),
      fails('invalid_option', /COOKIE_SECRET_PREVIOUS is invalid/),
    );
    assert.throws(
      () => sessionOptionsFromEnv({ SESSION_STORE: 'mongo', COOKIE_SECRET: good }),
      fails('invalid_option', /SESSION_STORE is invalid: got "mongo", expected cookie or ring/),
    );
  });
});

describe('csrfOptionsFromEnv', () => {
  it("shares Kit's tokens with SESSION_STORE=ring, and only then", () => {
    assert.deepEqual(csrfOptionsFromEnv({ SESSION_STORE: 'ring' }), { tokens: 'ring' });
    assert.deepEqual(csrfOptionsFromEnv({ SESSION_STORE: 'cookie' }), {});
    assert.deepEqual(csrfOptionsFromEnv({}), {});
  });
});

describe('sessionOptionsFromEnv: RING_COOKIE_SECRET (migration)', () => {
  it("accepts Kit's cookies as plain JSON data and writes sessionkit's own format", async () => {
    const options = sessionOptionsFromEnv(
      { COOKIE_SECRET: good, COOKIE_NAME: 'myapp', RING_COOKIE_SECRET: kitSecret },
      { logger: new RecordingLogger() },
    );
    assert.equal(options.store.cookieName, 'myapp');
    const read = await options.store.read(kitCookie(kitSecret, '{:user "alice", :role :admin}'));
    assert.deepEqual(read, {
      data: { user: 'alice', role: 'admin' },
      createdAt: read!.createdAt,
      stale: true,
    });
    const written = (await options.store.write(undefined, read.data))!;
    assert.match(written, /^v\d+\./);
    assert.equal(await options.store.read(kitCookie('16charsecrethere', '{:user "x"}')), undefined);
  });

  it('migrates into a store the caller gives (options.store), whatever SESSION_STORE names it', async () => {
    const options = sessionOptionsFromEnv(
      { SESSION_STORE: 'memory', RING_COOKIE_SECRET: kitSecret },
      { store: (timeouts) => memoryStore(timeouts), logger: new RecordingLogger() },
    );
    const kit = kitCookie(kitSecret, '{:user "carol"}');
    assert.deepEqual((await options.store.read(kit))?.data, { user: 'carol' });
    const moved = (await options.store.touch(kit))!;
    assert.match(moved, /^[A-Za-z0-9_-]{43}$/, 'a memory store id');
    assert.throws(
      () =>
        sessionOptionsFromEnv(
          { SESSION_STORE: 'ring', COOKIE_SECRET: kitSecret },
          { store: (timeouts) => memoryStore(timeouts) },
        ),
      fails('invalid_option', /option store is invalid/),
    );
    assert.throws(
      () =>
        sessionOptionsFromEnv({
          SESSION_STORE: 'ring',
          COOKIE_SECRET: kitSecret,
          SESSION_AUDIENCE: 'shop',
        }),
      fails('invalid_option', /SESSION_AUDIENCE is invalid: got a value with SESSION_STORE=ring/),
    );
  });

  it("K-06: refuses Kit's default key in production and warns in development", () => {
    assert.throws(
      () =>
        sessionOptionsFromEnv({
          COOKIE_SECRET: good,
          NODE_ENV: 'production',
          RING_COOKIE_SECRET: '16charsecrethere',
        }),
      fails('insecure_secret', /RING_COOKIE_SECRET is a well-known placeholder value/),
    );
    const logger = new RecordingLogger();
    sessionOptionsFromEnv(
      { COOKIE_SECRET: good, RING_COOKIE_SECRET: '16charsecrethere' },
      { logger },
    );
    assert.match(
      logger.warnings.join('\n'),
      /RING_COOKIE_SECRET is a well-known placeholder value; production would refuse it/,
    );
    assert.throws(
      () => sessionOptionsFromEnv({ COOKIE_SECRET: good, RING_COOKIE_SECRET: 'too-short' }),
      fails('invalid_option', /RING_COOKIE_SECRET is invalid: got 9 bytes/),
    );
  });
});
