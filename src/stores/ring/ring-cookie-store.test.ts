import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SessionkitError } from '../../core/errors.ts';
import { wrapSession } from '../../session/wrap-session.ts';
import { Clock } from '../../testing/clock.ts';
import { responseOf } from '../../../test/support/fakes.ts';
import { parseEdn } from './edn-read.ts';
import { EdnKeyword } from './edn-values.ts';
import { ringCookieStore, ringMaxValueLength } from './ring-cookie-store.ts';
import { formDecode, formEncode, ringKey, sealRing, unsealRing } from './ring-seal.ts';

const key = 'Kq9Lw2Zr7Tn5Vb1H';
const keyBytes = ringKey(key, 'test');

/** A value sealed the way Kit seals one: the EDN alone, no times (the store key, not encoded). */
const kitSealed = (edn: string): string => sealRing(keyBytes, edn);

const rejects = (fn: () => unknown, code: string, message: RegExp): void => {
  assert.throws(
    fn,
    (e: unknown) => e instanceof SessionkitError && e.code === code && message.test(e.message),
  );
};

describe('ringCookieStore', () => {
  it("writes Ring's format: base64(iv ‖ ct)--base64(mac), EDN with the times last", async () => {
    const clock = new Clock();
    const store = ringCookieStore({ key, now: clock.now });
    const value = await store.write(undefined, { user: 'alice', role: new EdnKeyword('admin') });
    // The key is the seal itself; wrapSession writes + / = as %2B %2F %3D (S-18).
    assert.match(value, /^[A-Za-z0-9+/]+={0,2}--[A-Za-z0-9+/]{43}=$/);
    assert.equal(
      unsealRing(keyBytes, value),
      `{:user "alice", :role :admin, :sessionkit/created ${clock.seconds}, :sessionkit/active ${clock.seconds}}`,
    );
  });

  it("is written to the cookie as Ring's wrap-cookies writes it, and read back through a real Cookie header", async () => {
    const store = ringCookieStore({ key });
    const seen: unknown[] = [];
    const app = wrapSession({ store, cookieName: 'myapp' })((request) => {
      seen.push(request.session);
      return {
        status: 200,
        session: { ...request.session, n: ((request.session?.n as number) ?? 0) + 1 },
      };
    });
    const request = (cookie?: string) => ({
      method: 'GET',
      path: '/',
      query: new URLSearchParams(),
      scheme: 'http' as const,
      headers: cookie === undefined ? {} : { cookie },
    });
    const first = responseOf(await app(request()));
    const setCookie = String(first.headers!['set-cookie']);
    const pair = setCookie.slice(0, setCookie.indexOf(';'));
    assert.match(pair, /%2B|%2F|%3D/);
    assert.equal(pair, `myapp=${formEncode(formDecode(pair.slice('myapp='.length))!)}`);
    await app(request(pair));
    // Lower-case escapes are the same value to Ring's form decoder.
    await app(request(pair.replace(/%([0-9A-F]{2})/g, (m) => m.toLowerCase())));
    assert.deepEqual(seen, [{}, { n: 1 }, { n: 1 }]);
  });

  it('reads no session from a seal whose + became spaces (as Ring form-decodes a raw +)', async () => {
    const store = ringCookieStore({ key });
    let sealed = kitSealed('{:user "alice"}');
    while (!sealed.includes('+')) sealed = kitSealed('{:user "alice"}');
    assert.notEqual(await store.read(sealed), undefined);
    assert.equal(await store.read(sealed.replace(/\+/g, ' ')), undefined);
  });

  it('accepts a session Kit sealed (no times) as starting now, stale so that it is re-sealed with them', async () => {
    const clock = new Clock();
    const store = ringCookieStore({ key, now: clock.now });
    const wire = kitSealed('{:user "bob", :_flash "hi"}');
    const read = await store.read(wire);
    assert.deepEqual(read, {
      data: { user: 'bob', _flash: 'hi' },
      createdAt: clock.seconds,
      stale: true,
    });
    clock.advance(30);
    const touched = (await store.touch(wire))!;
    assert.equal(
      unsealRing(keyBytes, touched),
      `{:user "bob", :_flash "hi", :sessionkit/created ${clock.seconds}, :sessionkit/active ${clock.seconds}}`,
    );
    assert.equal((await store.read(touched))!.stale, false);
  });

  it('L-09, L-08: enforces the timeouts from the times in the map, which a Kit write carries along', async () => {
    const clock = new Clock();
    const store = ringCookieStore({
      key,
      now: clock.now,
      idleTimeoutSeconds: 600,
      absoluteTimeoutSeconds: 1200,
    });
    const created = clock.seconds;
    const value = await store.write(undefined, { user: 'alice' });
    // What a Kit handler does: (assoc session :user "carol"), sealed by Ring.
    const edn = unsealRing(keyBytes, value)!.replace('"alice"', '"carol"');
    const kitWritten = kitSealed(edn);
    clock.advance(599);
    assert.deepEqual((await store.read(kitWritten))!.data, { user: 'carol' });
    assert.equal((await store.read(kitWritten))!.createdAt, created);
    clock.advance(1);
    assert.equal(await store.read(kitWritten), undefined, 'idle since sessionkit last saw it');
    assert.equal(await store.touch(kitWritten), undefined);
  });

  it('reads a map whose times are not whole numbers, or come from the future, as no session', async () => {
    const clock = new Clock();
    const store = ringCookieStore({ key, now: clock.now });
    const now = clock.seconds;
    for (const edn of [
      `{:sessionkit/created "${now}", :sessionkit/active ${now}}`,
      `{:sessionkit/created ${now}}`,
      `{:sessionkit/created ${now}, :sessionkit/active ${now + 3600}}`,
      `{:sessionkit/created 1.5, :sessionkit/active ${now}}`,
    ]) {
      assert.equal(await store.read(kitSealed(edn)), undefined, edn);
    }
  });

  it('keeps the sessionkit/ keys for itself: data under them is not written', async () => {
    const clock = new Clock();
    const store = ringCookieStore({ key, now: clock.now });
    const value = await store.write(undefined, {
      'sessionkit/created': 1,
      'sessionkit/active': 2,
      a: 1,
    });
    const map = parseEdn(unsealRing(keyBytes, value)!) as Record<string, unknown>;
    assert.deepEqual(map, {
      a: 1,
      'sessionkit/created': clock.seconds,
      'sessionkit/active': clock.seconds,
    });
  });

  it("reads keywords, sets and the rest as the EDN mapping by default, and as plain JSON with values: 'json'", async () => {
    const wire = kitSealed(
      '{:role :admin, :tags #{:a}, :id #uuid "0f8fad5b-d9cb-469f-a165-70867728950e"}',
    );
    const edn = (await ringCookieStore({ key }).read(wire))!.data;
    assert.deepEqual(edn.role, new EdnKeyword('admin'));
    assert.deepEqual(edn.tags, new Set([new EdnKeyword('a')]));
    const json = ringCookieStore({ key, values: 'json' });
    assert.deepEqual((await json.read(wire))!.data, {
      role: 'admin',
      tags: ['a'],
      id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    });
    const touched = (await json.touch(wire))!;
    assert.match(
      unsealRing(keyBytes, touched)!,
      /^\{:role :admin, :tags #\{:a\}, :id #uuid/,
      'touch never converts',
    );
  });

  it('Z-01: refuses a session that would not fit a cookie, naming sizes only', async () => {
    const store = ringCookieStore({ key });
    await assert.rejects(
      store.write(undefined, { big: 'x'.repeat(3000) }),
      (e: unknown) =>
        e instanceof SessionkitError && e.code === 'cookie_too_large' && !e.message.includes('xxx'),
    );
    assert.ok(
      (await store.write(undefined, { big: 'x'.repeat(2600) })).length <= ringMaxValueLength,
    );
    assert.equal(await store.read('A'.repeat(ringMaxValueLength + 1)), undefined);
  });

  it('K-07: takes exactly 16 key bytes (UTF-8 for a string), and never prints the key', () => {
    assert.ok(ringCookieStore({ key: 'ключ12345678' }), '12 characters, 16 UTF-8 bytes');
    assert.ok(ringCookieStore({ key: new Uint8Array(16) }));
    for (const bad of ['short-secret-15', 'seventeen-bytes!!', '', 42, undefined]) {
      rejects(
        () => ringCookieStore({ key: bad as string }),
        'invalid_option',
        /^ringCookieStore: option key is invalid: got (\d+ bytes|number|undefined), expected exactly 16 bytes/,
      );
    }
    rejects(
      () => ringCookieStore({ key, secret: 'my-secret-value' } as never),
      'invalid_option',
      /option secret is invalid: got a string, expected one of key, values, .*\(unknown option/,
    );
    assert.throws(
      () => ringCookieStore({ key, secret: 'my-secret-value' } as never),
      (e: Error) => !e.message.includes('my-secret'),
    );
    rejects(
      () => ringCookieStore({ key, values: 'xml' as 'edn' }),
      'invalid_option',
      /option values is invalid/,
    );
  });

  it('L-02: reads any string as a session or no session, never throwing', async () => {
    const store = ringCookieStore({ key });
    const valid = kitSealed('{:a 1}');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc
            .tuple(fc.nat({ max: valid.length - 1 }), fc.string({ maxLength: 3 }))
            .map(([at, s]) => valid.slice(0, at) + s + valid.slice(at + 1)),
        ),
        async (value) => {
          const read = await store.read(value);
          assert.ok(read === undefined || typeof read.data === 'object');
        },
      ),
      { numRuns: 500 },
    );
  });
});
