import assert from 'node:assert/strict';
import type { SessionData } from '../../core/types.ts';
import { describe, it } from 'node:test';
import { Clock } from '../../../test/support/clock.ts';
import { RecordingLogger } from '../../../test/support/fakes.ts';
import { SessionkitError } from '../../core/errors.ts';
import { memoryStore } from './memory-store.ts';
import type { MemoryEntry } from './memory-store.ts';

async function create(store: ReturnType<typeof memoryStore>, data: SessionData) {
  return (await store.write(undefined, data))!;
}

describe('memoryStore', () => {
  it('L-03: ids are 256-bit base64url, all distinct, not derived from Math.random', async () => {
    const realRandom = Math.random;
    Math.random = () => 0.5;
    try {
      const store = memoryStore({ maxEntries: 100_000 });
      const ids = new Set<string>();
      for (let i = 0; i < 100_000; i++) {
        const id = await create(store, {});
        assert.match(id, /^[A-Za-z0-9_-]{43}$/);
        ids.add(id);
      }
      assert.equal(ids.size, 100_000);
    } finally {
      Math.random = realRandom;
    }
  });

  it('L-02: malformed ids are rejected before any lookup', async () => {
    const store = memoryStore();
    await create(store, { v: 1 });
    const realGet = Map.prototype.get;
    let lookups = 0;
    Map.prototype.get = function (this: Map<unknown, unknown>, key: unknown) {
      lookups++;
      return realGet.call(this, key) as unknown;
    };
    try {
      for (const id of [
        '*',
        '../x',
        'user:1:profile',
        'a\nb',
        'x'.repeat(10_000),
        'A'.repeat(42),
      ]) {
        assert.equal(await store.read(id), undefined);
      }
      assert.equal(lookups, 0);
      await store.read('A'.repeat(43));
      assert.equal(lookups, 1, 'a well-formed id is looked up');
    } finally {
      Map.prototype.get = realGet;
    }
  });

  it('R-09: keeps at most maxEntries, evicting the least recently used', async () => {
    const store = memoryStore({ maxEntries: 3 });
    const a = await create(store, { n: 'a' });
    const b = await create(store, { n: 'b' });
    const c = await create(store, { n: 'c' });
    await store.read(a); // a is now the most recently used
    const d = await create(store, { n: 'd' });
    assert.equal(await store.read(b), undefined, 'b was the least recently used');
    for (const key of [a, c, d]) assert.notEqual(await store.read(key), undefined);
  });

  it('R-09: never returns an expired entry, and forgets it', async () => {
    const clock = new Clock();
    const store = memoryStore({
      now: clock.now,
      idleTimeoutSeconds: 60,
      absoluteTimeoutSeconds: 600,
    });
    const key = await create(store, { v: 1 });
    clock.advance(60);
    assert.equal(await store.read(key), undefined);
    clock.ms -= 60_000; // even with the clock turned back, the entry is gone
    assert.equal(await store.read(key), undefined);
  });

  it('R-09: warns once when used with NODE_ENV=production', () => {
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      const logger = new RecordingLogger();
      memoryStore({ logger });
      assert.equal(logger.warnings.length, 1);
      assert.match(logger.warnings[0]!, /one process/);
    } finally {
      if (saved === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = saved;
    }
  });

  it('rejects invalid options at construction, naming the option', () => {
    for (const [options, name] of [
      [{ maxEntries: 0 }, 'maxEntries'],
      [{ idleTimeoutSeconds: -1 }, 'idleTimeoutSeconds'],
      [{ idleTimeoutSeconds: 100, absoluteTimeoutSeconds: 50 }, 'absoluteTimeoutSeconds'],
      [{ touchAfterSeconds: 86_400 }, 'touchAfterSeconds'],
    ] as const) {
      assert.throws(
        () => memoryStore(options),
        (error: unknown) =>
          error instanceof SessionkitError &&
          error.code === 'invalid_option' &&
          error.message.includes(`option ${name} is invalid`),
      );
    }
  });

  describe('over a Map the caller provides', () => {
    it("holds each session's stored form in the map, and reads what the caller seeds", async () => {
      const clock = new Clock();
      const map = new Map<string, MemoryEntry>();
      const store = memoryStore({ map, now: clock.now });
      const id = await create(store, { foo: 'bar' });
      assert.deepEqual(map.get(id), {
        json: '{"foo":"bar"}',
        createdAt: clock.seconds,
        touchedAt: clock.seconds,
      });
      map.set(id, { ...map.get(id)!, json: '{"foo":"baz"}' });
      assert.deepEqual((await store.read(id))?.data, { foo: 'baz' });
      const seeded = 'S'.repeat(43);
      map.set(seeded, {
        json: '{"user":"alice"}',
        createdAt: clock.seconds,
        touchedAt: clock.seconds,
      });
      assert.deepEqual((await store.read(seeded))?.data, { user: 'alice' });
      await store.delete(seeded);
      assert.equal(map.has(seeded), false);
    });

    it('never hands out or keeps a live object: entries are replaced, frozen, and data is copied', async () => {
      const clock = new Clock();
      const map = new Map<string, MemoryEntry>();
      const store = memoryStore({ map, now: clock.now, touchAfterSeconds: 1 });
      const id = await create(store, { list: [1] });
      const first = map.get(id)!;
      assert.ok(Object.isFrozen(first));
      assert.throws(() => {
        (first as { json: string }).json = '{"admin":true}';
      }, TypeError);
      clock.advance(5);
      await store.write(id, { list: [1, 2] });
      assert.notEqual(map.get(id), first, 'a write replaces the entry');
      assert.equal(first.json, '{"list":[1]}', 'and leaves the old one as it was');
      const read = await store.read(id);
      (read!.data.list as number[]).push(3);
      assert.equal(map.get(id)!.json, '{"list":[1,2]}');
      await store.touch(id);
      assert.deepEqual(map.get(id), {
        json: '{"list":[1,2]}',
        createdAt: first.createdAt,
        touchedAt: clock.seconds,
      });
    });

    it('reads a malformed seeded entry as no session, without throwing', async () => {
      const clock = new Clock();
      const map = new Map<string, MemoryEntry>();
      const store = memoryStore({ map, now: clock.now });
      const at = clock.seconds;
      const bad: unknown[] = [
        { json: 'not json', createdAt: at, touchedAt: at },
        { json: '[1,2]', createdAt: at, touchedAt: at },
        { json: 'null', createdAt: at, touchedAt: at },
        { json: '{}', createdAt: 'now', touchedAt: at },
        { json: '{}' },
        '{"user":"alice"}',
        null,
      ];
      for (const [i, entry] of bad.entries()) {
        const id = String(i).repeat(43);
        map.set(id, entry as MemoryEntry);
        assert.equal(await store.read(id), undefined, JSON.stringify(entry));
      }
      map.set('short', { json: '{}', createdAt: at, touchedAt: at });
      assert.equal(await store.read('short'), undefined, 'keys that are not ids are never read');
    });

    it('applies the timeouts and maxEntries to the map', async () => {
      const clock = new Clock();
      const map = new Map<string, MemoryEntry>();
      const at = clock.seconds;
      for (let i = 0; i < 5; i++) {
        map.set(String(i).repeat(43), { json: '{}', createdAt: at, touchedAt: at });
      }
      const store = memoryStore({ map, now: clock.now, maxEntries: 3, idleTimeoutSeconds: 60 });
      const id = await create(store, { v: 1 });
      assert.deepEqual([...map.keys()], ['3'.repeat(43), '4'.repeat(43), id]);
      clock.advance(60);
      assert.equal(await store.read(id), undefined);
      assert.equal(map.has(id), false);
    });

    it('refuses a map that is not a Map', () => {
      for (const map of [{}, [], new WeakMap()]) {
        assert.throws(
          () => memoryStore({ map: map as never }),
          (error: unknown) =>
            error instanceof SessionkitError &&
            error.code === 'invalid_option' &&
            /option map is invalid/.test(error.message),
        );
      }
    });
  });
});
