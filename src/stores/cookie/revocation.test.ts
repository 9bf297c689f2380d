// The cookie store's session ids, subjects and revocation (docs/decisions/0020-revocation.md),
// and what `inspect` says about a value.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Clock } from '../../../test/support/clock.ts';
import { SessionkitError } from '../../core/errors.ts';
import { createSealer } from '../../crypto/seal.ts';
import { memoryRevocations } from '../../session/revocations.ts';
import type { Revocations } from '../../session/revocations.ts';
import { sessionIdPattern } from '../../session/session-id.ts';
import { v1Sealer } from '../../../test/support/v1-seal.ts';
import { cookieStore } from './cookie-store.ts';
import type { CookieInspection, CookieStoreOptions, OpenedCookie } from './cookie-store.ts';

const k0 = 'Qx1vB7nM3kL9pT5rW2yC8dF4hJ6gS0aZeUiOoXwVnAA';
const k1 = 'CvfsiNAILeWibjCCxCHOVIrMD0ItFIS0vkLpJ6L9sF4';

function setup(options: Partial<CookieStoreOptions> = {}, withList = true) {
  const clock = new Clock();
  const revocations = memoryRevocations({ now: clock.now });
  const store = cookieStore({
    secrets: [k1],
    now: clock.now,
    ...(withList ? { revocations } : {}),
    ...options,
  });
  return { clock, revocations, store };
}

function opened(inspection: CookieInspection): OpenedCookie {
  assert.equal(inspection.opened, true, JSON.stringify(inspection));
  return inspection;
}

const isError = (code: string) => (error: unknown) =>
  error instanceof SessionkitError && error.code === code;

describe('cookieStore: session ids', () => {
  it('every value carries an unguessable id, kept across writes and touches; a new session gets another', async () => {
    const { store, clock } = setup({}, false);
    const key = await store.write(undefined, { n: 1 });
    const id = opened(store.inspect(key)).id;
    assert.match(id, sessionIdPattern);
    const written = (await store.write(key, { n: 2 }))!;
    clock.advance(10_000);
    const touched = (await store.touch(written))!;
    assert.equal(opened(store.inspect(written)).id, id);
    assert.equal(opened(store.inspect(touched)).id, id);
    assert.notEqual(opened(store.inspect(await store.write(undefined, { n: 1 }))).id, id);
    assert.equal(JSON.stringify((await store.read(touched))!.data).includes(id), false);
  });

  it('a value sealed before ids existed reads (as stale) with an id derived from it, which its re-sealed value keeps', async () => {
    const { store, clock } = setup();
    const sealer = createSealer({ secrets: [k1], cookieName: 'session' });
    const old = sealer.seal(`{"c":${clock.seconds},"a":${clock.seconds},"d":{"user":"alice"}}`);
    const read = await store.read(old);
    assert.deepEqual(read, { data: { user: 'alice' }, createdAt: clock.seconds, stale: true });
    const before = opened(store.inspect(old));
    assert.equal(before.legacyId, true);
    assert.equal(opened(store.inspect(old)).id, before.id, 'the same value, the same id');
    const resealed = (await store.touch(old))!;
    const after = opened(store.inspect(resealed));
    assert.equal(after.id, before.id);
    assert.equal(after.legacyId, false);
    assert.equal((await store.read(resealed))!.stale, false);
    // L-07: logging out with the re-sealed value revokes the old copy too.
    await store.delete(resealed);
    assert.equal(await store.read(old), undefined);
  });

  it('C-21: a v1 value gets an id when it is re-sealed as v2', async () => {
    const { store, clock } = setup({ secrets: [k0] });
    const v1 = v1Sealer(k0, 'session').seal(
      `{"c":${clock.seconds},"a":${clock.seconds},"d":{"x":1}}`,
    );
    assert.equal(opened(store.inspect(v1)).format, 1);
    const v2 = (await store.touch(v1))!;
    assert.match(v2, /^v2\./);
    assert.equal(opened(store.inspect(v2)).id, opened(store.inspect(v1)).id);
  });
});

describe('cookieStore: subjects', () => {
  it('keeps the subject beside the data, across writes and touches; null removes it', async () => {
    const { store, clock } = setup({}, false);
    const key = await store.write(undefined, { user: 'alice' }, undefined, 'user-42');
    assert.deepEqual(await store.read(key), {
      data: { user: 'alice' },
      createdAt: clock.seconds,
      stale: false,
      subject: 'user-42',
    });
    const written = (await store.write(key, { user: 'alice', n: 1 }))!;
    assert.equal((await store.read(written))!.subject, 'user-42');
    clock.advance(10_000);
    assert.equal((await store.read((await store.touch(written))!))!.subject, 'user-42');
    const removed = (await store.write(written, { n: 1 }, undefined, null))!;
    assert.equal('subject' in (await store.read(removed))!, false);
  });

  it('a new subject on a session gives it a new id (a new identity)', async () => {
    const { store } = setup({}, false);
    const key = await store.write(undefined, {});
    const id = opened(store.inspect(key)).id;
    const same = (await store.write(key, {}, undefined, undefined))!;
    assert.equal(opened(store.inspect(same)).id, id);
    const other = (await store.write(key, {}, undefined, 'user-1'))!;
    assert.notEqual(opened(store.inspect(other)).id, id);
  });

  it('refuses a malformed subject at write time', async () => {
    const { store } = setup({}, false);
    for (const subject of ['', 'a\u0000b', 'x'.repeat(1001)]) {
      await assert.rejects(
        store.write(undefined, {}, undefined, subject),
        isError('invalid_option'),
      );
    }
  });

  it('says it keeps subjects', () => {
    assert.equal(setup().store.subjects, true);
  });
});

describe('cookieStore with revocations', () => {
  it('L-07: after a logout (delete) no copy of the session opens, while other sessions do', async () => {
    const { store, clock } = setup();
    const key = await store.write(undefined, { user: 'alice' }, undefined, 'alice');
    clock.advance(10_000);
    const later = (await store.touch(key))!; // the browser's newer cookie
    const other = await store.write(undefined, { user: 'bob' }, undefined, 'bob');
    await store.delete(later);
    assert.equal(await store.read(key), undefined);
    assert.equal(await store.read(later), undefined);
    assert.deepEqual((await store.read(other))!.data, { user: 'bob' });
    assert.equal(opened(store.inspect(key)).state, 'revoked');
  });

  it('Q-04: a late write or touch under a revoked session seals nothing', async () => {
    const { store } = setup();
    const key = await store.write(undefined, { user: 'alice' });
    await store.delete(key);
    assert.equal(await store.write(key, { user: 'alice', late: true }), undefined);
    assert.equal(await store.touch(key), undefined);
  });

  it('L-13: revokeSubject ends every session of the subject, not one issued after, nor other subjects', async () => {
    const { store, revocations, clock } = setup();
    const laptop = await store.write(undefined, { device: 'laptop' }, undefined, 'alice');
    clock.ms += 5;
    const phone = await store.write(undefined, { device: 'phone' }, undefined, 'alice');
    const bob = await store.write(undefined, {}, undefined, 'bob');
    const anonymous = await store.write(undefined, {});
    clock.ms += 5;
    await revocations.revokeSubject('alice');
    clock.ms += 1;
    const again = await store.write(undefined, { device: 'laptop' }, undefined, 'alice');
    assert.equal(await store.read(laptop), undefined);
    assert.equal(await store.read(phone), undefined);
    assert.ok(await store.read(bob));
    assert.ok(await store.read(anonymous));
    assert.deepEqual((await store.read(again))!.data, { device: 'laptop' });
  });

  it('R-11: a list that cannot answer makes read, write and delete reject (the request gets 503)', async () => {
    const clock = new Clock();
    const down: Revocations = {
      absoluteTimeoutSeconds: 604_800,
      isRevoked() {
        throw new Error('the revocation list is out of sync');
      },
      revoke: () => Promise.reject(new Error('Redis is down')),
      revokeSubject: () => Promise.reject(new Error('Redis is down')),
    };
    const plain = cookieStore({ secrets: [k1], now: clock.now });
    const store = cookieStore({ secrets: [k1], now: clock.now, revocations: down });
    const key = await plain.write(undefined, { user: 'alice' });
    await assert.rejects(store.read(key), /out of sync/);
    await assert.rejects(store.write(key, {}), /out of sync/);
    await assert.rejects(store.delete(key), /Redis is down/);
    assert.equal(store.inspect(key).opened, true);
    assert.equal(opened(store.inspect(key)).state, 'revocations-unavailable');
    // A new session needs no check, and garbage never reaches the list.
    assert.ok(await store.write(undefined, {}));
    assert.equal(await store.read('garbage'), undefined);
  });

  it('refuses a list that keeps subjects for less than the absolute timeout, or no list at all', () => {
    const short = memoryRevocations({ absoluteTimeoutSeconds: 3600 });
    assert.throws(
      () =>
        cookieStore({
          secrets: [k1],
          idleTimeoutSeconds: 600,
          absoluteTimeoutSeconds: 7200,
          revocations: short,
        }),
      (e: unknown) =>
        isError('invalid_option')(e) && /at least absoluteTimeoutSeconds/.test(String(e)),
    );
    assert.ok(
      cookieStore({
        secrets: [k1],
        idleTimeoutSeconds: 600,
        absoluteTimeoutSeconds: 3600,
        revocations: short,
      }),
    );
    for (const bad of [{}, 'list', { isRevoked: () => false }]) {
      assert.throws(
        () => cookieStore({ secrets: [k1], revocations: bad as never }),
        isError('invalid_option'),
      );
    }
  });
});

describe('cookieStore.inspect', () => {
  it('opens a value: format, key, id, subject, times, deadlines, data', async () => {
    const { store, clock } = setup({ idleTimeoutSeconds: 600, absoluteTimeoutSeconds: 6000 });
    const key = await store.write(undefined, { user: 'alice' }, undefined, 'alice');
    const seen = opened(store.inspect(key));
    assert.equal(seen.format, 2);
    assert.equal(seen.keyIndex, 0);
    assert.equal(seen.keyId, key.slice(3, 15));
    assert.deepEqual(store.keyIds, [seen.keyId]);
    assert.equal(seen.subject, 'alice');
    assert.equal(seen.createdAt, clock.seconds);
    assert.equal(seen.idleDeadline, clock.seconds + 600);
    assert.equal(seen.absoluteDeadline, clock.seconds + 6000);
    assert.deepEqual(seen.data, { user: 'alice' });
    assert.equal(seen.state, 'valid');
  });

  it('says which secret opened it and when it lapses', async () => {
    const clock = new Clock();
    const old = cookieStore({ secrets: [k0], now: clock.now, idleTimeoutSeconds: 600 });
    const store = cookieStore({ secrets: [k1, k0], now: clock.now, idleTimeoutSeconds: 600 });
    const key = await old.write(undefined, {});
    assert.equal(opened(store.inspect(key)).keyIndex, 1);
    clock.advance(600);
    assert.equal(opened(store.inspect(key)).state, 'idle-expired');
    const future = cookieStore({ secrets: [k1], now: () => clock.ms + 120_000 });
    assert.equal(opened(store.inspect(await future.write(undefined, {}))).state, 'from-the-future');
  });

  it('says why a value does not open', async () => {
    const { store } = setup();
    const other = cookieStore({ secrets: [k0] });
    const otherName = cookieStore({ secrets: [k1], cookieName: 'other' });
    const key = await store.write(undefined, { user: 'alice' });
    const flipped = key.slice(0, -5) + (key.at(-5) === 'A' ? 'B' : 'A') + key.slice(-4);
    const sealer = createSealer({ secrets: [k1], cookieName: 'session' });
    const cases: [string, string][] = [
      [await other.write(undefined, {}), 'unknown-key'],
      [flipped, 'tampered'],
      [await otherName.write(undefined, {}), 'tampered'],
      [key.slice(0, -10), 'malformed'],
      ['hello', 'unknown-format'],
      ['v2.' + 'A'.repeat(5000), 'too-long'],
      [v1Sealer(k0, 'session').seal('{}'), 'v1-unopened'],
      [sealer.seal('not json'), 'not-a-session'],
    ];
    for (const [value, reason] of cases) {
      const seen = store.inspect(value);
      assert.equal(seen.opened, false, reason);
      assert.equal(seen.opened === false && seen.reason, reason);
    }
    const passphrase = cookieStore({ secrets: ['correct horse battery staple, 32 bytes+'] });
    const refused = passphrase.inspect(v1Sealer(k0, 'session').seal('{}'));
    assert.equal(refused.opened === false && refused.reason, 'v1-refused');
  });
});
