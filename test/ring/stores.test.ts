// Ring parity: ring-core's store suites, ring.middleware.session.test.memory and
// ring.middleware.session.test.cookie (the newest versions our reference index holds of
// ring-core/test/ring/middleware/session/test/memory.clj and cookie.clj, from before Ring
// 1.9.6). One `it` per Ring `is`, in our words and API: Ring's read-session returns the map,
// ours `{ data, createdAt, stale }`; Ring's stores are synchronous, ours resolve promises.
//
// Clojure-only, not ported (cookie.clj):
// - cookie-session-code-injection: a sealed `#=(…)` form that the EDN reader must not
//   evaluate. Our sessions are JSON, which evaluates nothing; the analogue, a sealed
//   `__proto__` key, is case C-13 of the store contract.
// - cookie-session-keyword-injection: a keyword holding spaces, which EDN cannot print back.
//   Our analogue, data JSON cannot represent, is case C-14 of the store contract.
// - cookie-session-custom-type: EDN `:readers` for a tagged literal (`#foo/instant`). JSON
//   has no tags.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SessionkitError } from '../../src/core/errors.ts';
import { cookieStore } from '../../src/stores/cookie/cookie-store.ts';
import { memoryStore } from '../../src/stores/memory/memory-store.ts';
import type { MemoryEntry } from '../../src/stores/memory/memory-store.ts';
import type { SessionStore } from '../../src/session/store.ts';
import type { SessionData } from '../../src/core/types.ts';
import { deviation } from './support.ts';

const secret = 'Rg7Kp2Wz9Lq4Xv8Tn1Bc6Hm3Jd5Fs0Ya-ring-parity';

async function create(store: SessionStore, data: SessionData): Promise<string | undefined> {
  return store.write(undefined, data);
}

async function dataOf(store: SessionStore, key: string | undefined): Promise<unknown> {
  return key === undefined ? undefined : (await store.read(key))?.data;
}

describe('Ring parity: ring.middleware.session.memory (memoryStore)', () => {
  it('memory-session-read-not-exist #1: an unknown key reads as nothing', async () => {
    assert.equal(await memoryStore().read('non-existent'), undefined);
  });

  describe('memory-session-create', () => {
    const store = memoryStore();
    let key: string | undefined;
    before(async () => (key = await create(store, { foo: 'bar' })));
    it('#1 a new session gets a key', () => {
      assert.notEqual(key, undefined);
    });
    it('#2 it reads back', async () => {
      assert.deepEqual(await dataOf(store, key), { foo: 'bar' });
    });
  });

  describe('memory-session-update', () => {
    const store = memoryStore();
    let key: string | undefined;
    let updated: string | undefined;
    before(async () => {
      key = await create(store, { foo: 'bar' });
      updated = await store.write(key, { bar: 'baz' });
    });
    it('#1 an update keeps the key', () => {
      assert.equal(updated, key);
    });
    it('#2 the new data reads back', async () => {
      assert.deepEqual(await dataOf(store, key), { bar: 'baz' });
    });
  });

  describe('memory-session-delete', () => {
    const store = memoryStore();
    let key: string | undefined;
    let deleted: unknown = 'not yet';
    before(async () => {
      key = await create(store, { foo: 'bar' });
      deleted = await store.delete(key!);
    });
    it('#1 delete gives no key back', () => {
      assert.equal(deleted, undefined);
    });
    it('#2 the session is gone', async () => {
      assert.equal(await dataOf(store, key), undefined);
    });
  });

  describe('memory-session-custom-atom (a Map the caller provides)', () => {
    const map = new Map<string, MemoryEntry>();
    const store = memoryStore({ map });
    let key: string | undefined;
    before(async () => (key = await create(store, { foo: 'bar' })));
    it('#1 differs (README "`memoryStore` keys, map"): the map holds the stored form of the session', () => {
      deviation('`memoryStore` keys, map');
      assert.deepEqual(JSON.parse(map.get(key!)!.json), { foo: 'bar' });
    });
    it('#2 what the caller puts in the map is what the store reads', async () => {
      map.set(key!, { ...map.get(key!)!, json: JSON.stringify({ foo: 'baz' }) });
      assert.deepEqual(await dataOf(store, key), { foo: 'baz' });
    });
  });
});

describe('Ring parity: ring.middleware.session.cookie (cookieStore)', () => {
  // Ring's cookie store makes a random key when given none; ours needs a secret (README
  // "secrets").
  const store = () => cookieStore({ secrets: [secret] });

  it('cookie-session-read-not-exist #1: a value it did not seal reads as nothing', async () => {
    assert.equal(await store().read('non-existent'), undefined);
  });

  describe('cookie-session-create', () => {
    const s = store();
    let key: string | undefined;
    before(async () => (key = await create(s, { foo: 'bar' })));
    it('#1 a new session gets a key (the sealed value)', () => {
      assert.notEqual(key, undefined);
    });
    it('#2 it reads back', async () => {
      assert.deepEqual(await dataOf(s, key), { foo: 'bar' });
    });
  });

  describe('cookie-session-update', () => {
    const s = store();
    let key: string | undefined;
    let updated: string | undefined;
    before(async () => {
      key = await create(s, { foo: 'bar' });
      updated = await s.write(key, { bar: 'baz' });
    });
    it('#1 an update gives a key', () => {
      assert.notEqual(updated, undefined);
    });
    it('#2 a different one: the new sealed value', () => {
      assert.notEqual(updated, key);
    });
    it('#3 the new data reads back', async () => {
      assert.deepEqual(await dataOf(s, updated), { bar: 'baz' });
    });
  });

  describe('cookie-session-delete', () => {
    // Ring's delete returns the seal of {} for the cookie. Ours keeps no state to delete and
    // gives nothing; wrapSession expires the cookie instead, and a copied value stays
    // readable until its timeouts (the replay window, L-07).
    const s = store();
    let key: string | undefined;
    let deleted: unknown = 'not yet';
    before(async () => {
      key = await create(s, { foo: 'bar' });
      deleted = await s.delete(key!);
    });
    it('#1 differs (README "a store\'s `delete`"): delete gives no key back', () => {
      deviation("a store's `delete`");
      assert.equal(deleted, undefined);
    });
    it('#2 what delete gives is not the old value', () => {
      assert.notEqual(deleted, key);
    });
    it('#3 differs (README "`session: null`"): the old value still reads, not as {}', async () => {
      deviation('`session: null`');
      assert.deepEqual(await dataOf(s, key), { foo: 'bar' });
    });
  });

  describe('cookie-session-invalid-key', () => {
    // Ring wants exactly 16 bytes; we want at least 32 characters (README "secrets").
    const refused = (secrets: string[]) =>
      assert.throws(
        () => cookieStore({ secrets }),
        (error: unknown) => error instanceof SessionkitError && error.code === 'insecure_secret',
      );
    it('#1 a 4-byte secret is refused', () => {
      deviation('secrets');
      refused(['abcd']);
    });
    it('#2 a 21-byte secret is refused', () => {
      refused(['012345678901234567890']);
    });
  });
});
