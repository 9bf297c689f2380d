import assert from 'node:assert/strict';
import type { SessionData } from '../../core/types.ts';
import { describe, it } from 'node:test';
import { cookieStore, cookieStoreDefaults } from './cookie-store.ts';
import type { CookieStoreOptions } from './cookie-store.ts';
import { SessionkitError } from '../../core/errors.ts';
import { readFileSync } from 'node:fs';
import { deriveKeys } from '../../crypto/keys.ts';
import { createSealer } from '../../crypto/seal.ts';
import { v1Sealer } from '../../../test/support/v1-seal.ts';

/** Key material (what `npx sessionkit secret` prints): used as is, no scrypt. */
const k0 = 'Qx1vB7nM3kL9pT5rW2yC8dF4hJ6gS0aZeUiOoXwVnAA';
const k1 = 'CvfsiNAILeWibjCCxCHOVIrMD0ItFIS0vkLpJ6L9sF4';
const k2 = 'hW3xQ0mZc1Ypk4T7dNvR9sLb2Gf6Jq8Ue5Ka0Xo3Vr4';
const t0 = 1_700_000_000;

/** Values sealed by sessionkit 0.1 (format v1), kept as they were. */
const v1Fixtures = (
  JSON.parse(
    readFileSync(new URL('../../../test/fixtures/v1-cookies.json', import.meta.url), 'utf8'),
  ) as {
    values: {
      kind: string;
      secret: string;
      createdAt: number;
      lastActivity: number;
      data: Record<string, unknown>;
      value: string;
    }[];
  }
).values;

/** A clock in epoch seconds that the test moves by hand. */
function clock(start = t0): { now: () => number; set: (seconds: number) => void } {
  let seconds = start;
  return { now: () => seconds * 1000, set: (s) => void (seconds = s) };
}

function store(options: Partial<CookieStoreOptions> = {}) {
  const time = clock();
  return { time, store: cookieStore({ secrets: [k1], now: time.now, ...options }) };
}

function isError(code: string) {
  return (error: unknown) => error instanceof SessionkitError && error.code === code;
}

void describe('cookieStore', () => {
  void it('C-01: reads back what it wrote, under a new value each time', async () => {
    const { store: s } = store();
    const data = { user: { id: 1, name: 'Zoë' }, roles: ['admin'], flag: true, none: null };
    const a = await s.write(undefined, data);
    const b = (await s.write(a, data))!;
    assert.notEqual(a, b);
    assert.deepEqual(await s.read(a), { data, createdAt: t0, stale: false });
    assert.deepEqual(await s.read(b), { data, createdAt: t0, stale: false });
  });

  void it('Q-04: a value deleted here is never refreshed by touch; it still reads (the replay window)', async () => {
    const { store: s, time } = store();
    const key = await s.write(undefined, { user: 'alice' });
    const other = await s.write(undefined, { user: 'bob' });
    time.set(t0 + 8640);
    await s.delete(key);
    assert.equal(await s.touch(key), undefined);
    assert.notEqual(await s.touch(other), undefined, 'other sessions still slide');
    assert.deepEqual((await s.read(key))?.data, { user: 'alice' });
  });

  void it('keeps the creation time given to write', async () => {
    const { store: s } = store();
    const session = await s.read(await s.write(undefined, {}, t0 - 100));
    assert.equal(session?.createdAt, t0 - 100);
  });

  void it('gives a fresh object on every read, cached or not', async () => {
    const { store: s } = store();
    const key = await s.write(undefined, { n: 1, list: [1] });
    const first = await s.read(key);
    first!.data.n = 2;
    (first!.data.list as number[]).push(2);
    assert.deepEqual((await s.read(key))?.data, { n: 1, list: [1] });
  });

  void it('exposes its cookie name, "session" by default', () => {
    assert.equal(cookieStoreDefaults.cookieName, 'session');
    assert.equal(store().store.cookieName, 'session');
    assert.equal(store({ cookieName: '__Host-sid' }).store.cookieName, '__Host-sid');
  });

  void it('binds the cookie name: a value from another cookie name does not read', async () => {
    const a = store({ cookieName: 'a' });
    const b = store({ cookieName: 'b' });
    assert.equal(await b.store.read(await a.store.write(undefined, { x: 1 })), undefined);
  });

  void it('resolves its options once, freezes itself and leaves the caller object alone', () => {
    const options = { secrets: [k1], cookieName: 'sid', touchAfterSeconds: 5 };
    const copy = structuredClone(options);
    const s = cookieStore(options);
    assert.deepEqual(options, copy);
    assert.ok(Object.isFrozen(s));
    assert.ok(Object.isFrozen(cookieStoreDefaults));
  });

  void it('refuses invalid options at construction', () => {
    const bad: unknown[] = [
      { secrets: [k1], cookieName: 'bad name' },
      { secrets: [k1], cookieName: 'a;b' },
      { secrets: [k1], cookieName: '' },
      { secrets: [k1], cacheEntries: -1 },
      { secrets: [k1], cacheEntries: 1.5 },
      { secrets: [k1], idleTimeoutSeconds: 0 },
      { secrets: [k1], idleTimeoutSeconds: 1.5 },
      { secrets: [k1], idleTimeoutSeconds: 100, absoluteTimeoutSeconds: 99 },
      { secrets: [k1], idleTimeoutSeconds: 100, touchAfterSeconds: 100 },
      { secrets: [k1], touchAfterSeconds: -1 },
    ];
    for (const options of bad) {
      assert.throws(() => cookieStore(options as CookieStoreOptions), isError('invalid_option'));
    }
    assert.throws(
      () => cookieStore(null as unknown as CookieStoreOptions),
      isError('invalid_option'),
    );
    assert.throws(() => cookieStore({ secrets: [] }), isError('insecure_secret'));
    assert.throws(() => cookieStore({ secrets: ['16charsecrethere'] }), isError('insecure_secret'));
    assert.throws(
      () => cookieStore({ secrets: [k1], audience: 'a\nb' }),
      isError('invalid_option'),
    );
  });

  void it('refuses option names it does not know (a misspelt audience must not pass silently)', () => {
    const error = (() => {
      try {
        cookieStore({ secrets: [k1], audiance: 'shop' } as CookieStoreOptions);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(error instanceof SessionkitError && error.code === 'invalid_option');
    assert.match(
      error.message,
      /option audiance is invalid: got a string, expected one of secrets, audience, .*did you mean audience\?/,
    );
  });

  void it("K-02: refuses the low-entropy secrets it once took ('a' × 32), here as in production", () => {
    for (const secret of [
      'a'.repeat(32),
      'x'.repeat(40),
      '1234567890'.repeat(4),
      new Uint8Array(32),
    ]) {
      assert.throws(() => cookieStore({ secrets: [secret] }), isError('insecure_secret'));
    }
  });

  void it('K-08: takes a passphrase of 32 bytes or more, stretched once at construction', async () => {
    const time = clock();
    const passphrase = 'correct horse battery staple 2024, sessionkit';
    const a = cookieStore({ secrets: [passphrase], now: time.now });
    const b = cookieStore({ secrets: [passphrase], now: time.now });
    assert.deepEqual((await b.read(await a.write(undefined, { user: 1 })))?.data, { user: 1 });
  });

  void it('K-10: binds the audience: a cookie from another deployment on the same secret reads as nothing', async () => {
    const staging = store({ audience: 'shop-staging' });
    const production = store({ audience: 'shop-production' });
    const none = store();
    const key = await staging.store.write(undefined, { admin: true });
    assert.equal(await production.store.read(key), undefined);
    assert.equal(await none.store.read(key), undefined);
    assert.deepEqual((await staging.store.read(key))?.data, { admin: true });
  });

  void it('C-22: seals sessions that differ by a few bytes into cookies of one length', async () => {
    const { store: s } = store();
    const lengths = new Set<number>();
    for (const role of ['user', 'admin', 'superadmin']) {
      lengths.add((await s.write(undefined, { user: 'ada', role })).length);
    }
    assert.equal(lengths.size, 1);
  });

  void it('C-21: reads a v1 value of sessionkit 0.1 as stale, and re-seals it as v2 with the current secret', async () => {
    const fixture = v1Fixtures.find((f) => f.kind === 'key material')!;
    const time = clock(fixture.lastActivity + 10);
    const s = cookieStore({ secrets: [k2, fixture.secret], now: time.now });
    const session = await s.read(fixture.value);
    assert.deepEqual(session, { data: fixture.data, createdAt: fixture.createdAt, stale: true });
    const resealed = (await s.touch(fixture.value))!;
    assert.ok(resealed.startsWith(`v2.${deriveKeys([k2], 'session-enc').current.id}.`));
    assert.deepEqual(await s.read(resealed), {
      data: fixture.data,
      createdAt: fixture.createdAt,
      stale: false,
    });
    // A v1 value under the current secret is stale too: the format, not the key, is old.
    const v1 = v1Sealer(k2, 'session').seal(`{"c":${t0},"a":${t0},"d":{"n":1}}`);
    assert.equal((await cookieStore({ secrets: [k2], now: clock().now }).read(v1))?.stale, true);
  });

  void it('K-08: reads a v1 value made under a passphrase as nothing (it could be forged by a guesser)', async () => {
    const fixture = v1Fixtures.find((f) => f.kind === 'passphrase')!;
    const s = cookieStore({ secrets: [fixture.secret], now: clock(fixture.lastActivity).now });
    assert.equal(await s.read(fixture.value), undefined);
  });

  void it('C-02: reads a tampered value as nothing, never rejecting', async () => {
    const { store: s } = store();
    const key = await s.write(undefined, { admin: false });
    for (let i = 0; i < key.length; i++) {
      const changed = key.slice(0, i) + (key[i] === 'A' ? 'B' : 'A') + key.slice(i + 1);
      assert.equal(await s.read(changed), undefined);
    }
  });

  void it('C-05: reads a value sealed with an unknown secret as nothing', async () => {
    const mine = store();
    const theirs = store({ secrets: [k2] });
    assert.equal(await mine.store.read(await theirs.store.write(undefined, { x: 1 })), undefined);
  });

  void it('C-06: re-seals a value opened with a previous secret', async () => {
    const time = clock();
    const old = cookieStore({ secrets: [k1], now: time.now });
    const rotated = cookieStore({ secrets: [k2, k1], now: time.now });
    const current = cookieStore({ secrets: [k2], now: time.now });
    const oldKey = await old.write(undefined, { user: 7 });
    const session = await rotated.read(oldKey);
    assert.deepEqual(session, { data: { user: 7 }, createdAt: t0, stale: true });
    const resealed = (await rotated.touch(oldKey))!;
    assert.ok(resealed.startsWith(`v2.${deriveKeys([k2], 'session-enc').current.id}.`));
    assert.deepEqual(await current.read(resealed), {
      data: { user: 7 },
      createdAt: t0,
      stale: false,
    });
    assert.equal((await rotated.read(resealed))?.stale, false);
  });

  void it('C-06: reads a value of a removed secret as nothing', async () => {
    const time = clock();
    const removed = cookieStore({ secrets: [k0], now: time.now });
    const rotated = cookieStore({ secrets: [k2, k1], now: time.now });
    assert.equal(await rotated.read(await removed.write(undefined, { x: 1 })), undefined);
  });

  void it('C-09: enforces the absolute timeout from the sealed creation time, however active', async () => {
    const { store: s, time } = store({ idleTimeoutSeconds: 600, absoluteTimeoutSeconds: 3600 });
    let key = await s.write(undefined, { user: 1 });
    for (let at = t0 + 500; at < t0 + 3600; at += 500) {
      time.set(at);
      const session = await s.read(key);
      assert.ok(session, `alive at +${at - t0}`);
      key = (await s.touch(key))!;
    }
    time.set(t0 + 3599);
    assert.ok(await s.read(key));
    time.set(t0 + 3600 + 1);
    assert.equal(await s.read(key), undefined);
  });

  void it('C-09: a write with the original creation time does not extend the absolute timeout', async () => {
    const { store: s, time } = store({ idleTimeoutSeconds: 600, absoluteTimeoutSeconds: 3600 });
    const first = await s.write(undefined, { user: 1 });
    time.set(t0 + 3000);
    const session = await s.read((await s.write(first, { user: 1, more: true }, t0))!);
    assert.equal(session?.createdAt, t0);
    time.set(t0 + 3600);
    assert.equal(await s.read((await s.write(first, { user: 1 }, t0))!), undefined);
  });

  void it('C-10: enforces the idle timeout from the sealed last activity', async () => {
    const { store: s, time } = store();
    const key = await s.write(undefined, { user: 1 });
    time.set(t0 + 86_400 - 1);
    assert.ok(await s.read(key));
    time.set(t0 + 86_400);
    assert.equal(await s.read(key), undefined);
  });

  void it('C-10: marks a session stale once per touch interval, and touch slides the idle deadline', async () => {
    const { store: s, time } = store({ idleTimeoutSeconds: 1000 });
    const key = await s.write(undefined, { user: 1 }); // default touchAfterSeconds: 100
    time.set(t0 + 99);
    assert.equal((await s.read(key))?.stale, false);
    time.set(t0 + 100);
    const session = await s.read(key);
    assert.equal(session?.stale, true);
    const touched = (await s.touch(key))!;
    assert.notEqual(touched, key);
    assert.deepEqual(await s.read(touched), { data: { user: 1 }, createdAt: t0, stale: false });
    time.set(t0 + 1050);
    assert.equal(await s.read(key), undefined);
    assert.deepEqual(await s.read(touched), { data: { user: 1 }, createdAt: t0, stale: true });
  });

  void it('C-10: honours touchAfterSeconds, 0 meaning every request', async () => {
    const every = store({ touchAfterSeconds: 0 });
    assert.equal((await every.store.read(await every.store.write(undefined, {})))?.stale, true);
    const custom = store({ touchAfterSeconds: 30 });
    const key = await custom.store.write(undefined, {});
    custom.time.set(t0 + 29);
    assert.equal((await custom.store.read(key))?.stale, false);
    custom.time.set(t0 + 30);
    assert.equal((await custom.store.read(key))?.stale, true);
  });

  void it('allows 60 s of clock skew on issued-at times, and no more', async () => {
    const ahead = clock(t0 + 60);
    const further = clock(t0 + 61);
    const { store: s } = store();
    const fine = cookieStore({ secrets: [k1], now: ahead.now });
    const wrong = cookieStore({ secrets: [k1], now: further.now });
    assert.ok(await s.read(await fine.write(undefined, {})));
    assert.equal(await s.read(await wrong.write(undefined, {})), undefined);
    assert.equal(await s.read(await s.write(undefined, {}, t0 + 61)), undefined);
  });

  void it('C-13: drops __proto__, constructor and prototype from an authenticated payload', async () => {
    const { store: s } = store();
    const sealer = createSealer({ secrets: [k1], cookieName: 'session' });
    const key = sealer.seal(
      `{"c":${t0},"a":${t0},"d":{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"ok":1},"__proto__":{"isAdmin":true}}`,
    );
    const session = await s.read(key);
    assert.deepEqual(session?.data, { ok: 1 });
    assert.equal(Object.getPrototypeOf(session.data), Object.prototype);
    const probe = {} as Record<string, unknown>;
    assert.equal(probe.admin, undefined);
    assert.equal(probe.isAdmin, undefined);
    assert.equal(probe.x, undefined);
  });

  void it('reads a value again as it read it the first time, a fresh copy each time, whatever its layout', async () => {
    const { store: s } = store();
    const sealer = createSealer({ secrets: [k1], cookieName: 'session' });
    const id = 'AaIrs7bKLHJygPL4Lpoh5ZW77bgwQQ';
    const keys = [
      await s.write(undefined, { n: 1, d: { d: 2 } }, undefined, 'user-1'),
      sealer.seal(`{"d":{"n":1},"i":"${id}","a":${t0},"c":${t0}}`),
      sealer.seal(`{"c":${t0},"a":${t0},"i":"${id}","d":{"n":1},"d":{"n":2}}`),
      sealer.seal(`{"c":${t0},"a":${t0},"i":"${id}","d":{"n":1},"x":{"n":2}}`),
    ];
    for (const key of keys) {
      const first = await s.read(key);
      assert.ok(first !== undefined);
      for (let i = 0; i < 3; i++) {
        const again = await s.read(key);
        assert.deepEqual(again, first);
        assert.notEqual(again.data, first.data);
        (again.data as Record<string, unknown>).n = 99; // a handler changing it in place
      }
    }
  });

  void it('reads an authentic payload of the wrong shape as nothing', async () => {
    const { store: s } = store();
    const sealer = createSealer({ secrets: [k1], cookieName: 'session' });
    const payloads = [
      'not json',
      '',
      'null',
      '[]',
      '"string"',
      `{"a":${t0},"d":{}}`,
      `{"c":${t0},"d":{}}`,
      `{"c":${t0},"a":${t0}}`,
      `{"c":"${t0}","a":${t0},"d":{}}`,
      `{"c":${t0},"a":null,"d":{}}`,
      `{"c":${t0},"a":1e400,"d":{}}`,
      `{"c":${t0},"a":${t0},"d":[]}`,
      `{"c":${t0},"a":${t0},"d":null}`,
      `{"c":${t0},"a":${t0},"d":"x"}`,
    ];
    for (const payload of payloads)
      assert.equal(await s.read(sealer.seal(payload)), undefined, payload);
    assert.ok(await s.read(sealer.seal(`{"c":${t0},"a":${t0},"d":{}}`)));
  });

  void it('C-14: rejects data JSON cannot represent, at write time', async () => {
    const { store: s } = store();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad: unknown[] = [
      { n: 1n },
      { f: () => 1 },
      cyclic,
      { m: new Map() },
      { list: [undefined] },
      { d: new Date(0) },
      { n: Number.NaN },
      [],
      null,
      'string',
    ];
    for (const data of bad) {
      await assert.rejects(
        s.write(undefined, data as SessionData),
        isError('unserializable_session'),
      );
    }
  });

  void it('rejects a creation time that is not a number', async () => {
    const { store: s } = store();
    await assert.rejects(s.write(undefined, {}, Number.NaN), isError('invalid_option'));
  });

  void it('Z-01: rejects a session whose cookie would pass 4096 bytes, naming sizes, not contents', async () => {
    const { store: s } = store();
    const marker = 'SECRET-CONTENT-';
    const error = await s.write(undefined, { blob: marker.repeat(300) }).then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SessionkitError && error.code === 'cookie_too_large');
    assert.match(error.message, /\d+ bytes/);
    assert.match(error.message, /4096/);
    assert.match(error.message, /memoryStore/);
    assert.ok(!error.message.includes(marker));
  });

  void it('Z-01: counts the cookie name in the 4096 bytes', async () => {
    const short = store({ cookieName: 's' });
    const long = store({ cookieName: 's'.repeat(200) });
    // The sealed value is 3952 characters: it fits beside a 1-byte name, not a 200-byte one.
    const data = { blob: 'x'.repeat(2850) };
    const value = await short.store.write(undefined, data);
    assert.ok(value.length + 2 <= 4096 && value.length + 201 > 4096, `${value.length}`);
    await assert.rejects(long.store.write(undefined, data), isError('cookie_too_large'));
  });

  void it('Z-03: reads a value too long for a cookie as nothing', async () => {
    const { store: s } = store();
    assert.equal(await s.read('v2.' + 'A'.repeat(5000)), undefined);
  });

  void it('never rejects a read, whatever the key', async () => {
    const { store: s } = store();
    for (const key of [
      '',
      'v1.',
      '..',
      'x'.repeat(100_000),
      'abc--def',
      '\ud800',
      'v1.AAAAAAAA.AAAA',
      'v2.AAAAAAAAAAAA.AAAA',
    ]) {
      assert.equal(await s.read(key), undefined);
    }
  });

  void it('checks the timeouts on every read, cached or not', async () => {
    const { store: s, time } = store({ idleTimeoutSeconds: 100 });
    const key = await s.write(undefined, { x: 1 });
    assert.ok(await s.read(key));
    assert.ok(await s.read(key));
    time.set(t0 + 100);
    assert.equal(await s.read(key), undefined);
  });

  void it('reads correctly with the cache off or tiny', async () => {
    for (const cacheEntries of [0, 1, 2]) {
      const { store: s } = store({ cacheEntries });
      const keys = await Promise.all([1, 2, 3, 4, 5].map((n) => s.write(undefined, { n })));
      for (let round = 0; round < 2; round++) {
        for (const [i, key] of keys.entries())
          assert.deepEqual((await s.read(key))?.data, { n: i + 1 });
      }
    }
  });

  void it('deletes nothing on the server: delete resolves, the value itself stays valid', async () => {
    const { store: s } = store();
    const key = await s.write(undefined, { x: 1 });
    assert.equal(await s.delete(key), undefined);
    await s.delete('garbage');
    // The replay window of a stateless store: a copied cookie lives until its deadlines.
    assert.deepEqual((await s.read(key))?.data, { x: 1 });
  });
});
