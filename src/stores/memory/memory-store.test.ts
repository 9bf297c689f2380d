import assert from 'node:assert/strict';
import type { SessionData } from '../../core/types.ts';
import { describe, it } from 'node:test';
import { Clock } from '../../../test/support/clock.ts';
import { RecordingLogger } from '../../../test/support/fakes.ts';
import { SessionkitError } from '../../core/errors.ts';
import { memoryStore } from './memory-store.ts';

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
});
