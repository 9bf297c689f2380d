import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SessionkitError } from '../core/errors.ts';
import type { SessionData } from '../core/types.ts';
import type { SessionStore, StoredSession } from '../session/store.ts';
import { wrapSession } from '../session/wrap-session.ts';
import { Clock } from './clock.ts';

/** The timeouts a store under test is made with; the suite moves the clock it passes. */
export interface StoreUnderTestOptions {
  /** The clock, in milliseconds since the epoch: the suite moves it instead of waiting. */
  now: () => number;
  idleTimeoutSeconds: number;
  absoluteTimeoutSeconds: number;
  touchAfterSeconds: number;
}

/** Options of {@link storeContract}. */
export interface StoreContractOptions {
  /** The suite's name in the test report. */
  name: string;
  /** Makes a fresh store with these timeouts and this clock, once per test. */
  make(options: StoreUnderTestOptions): SessionStore | Promise<SessionStore>;
  /**
   * True for a store that keeps nothing on the server (its key is the sealed session): it
   * cannot forget a deleted session, so the replay-window case replaces the server-side ones.
   * @default false
   */
  stateless?: boolean | undefined;
  /**
   * For a stateless store made with a revocation list (`cookieStore({ revocations })`):
   * `delete` revokes, so the replay-window case is replaced by the ones a server-side store
   * passes (a deleted session reads as nothing; touch and a late write revive nothing).
   * @default false
   */
  revokes?: boolean | undefined;
  /**
   * Values beyond JSON that the store holds faithfully (an EDN store holds `bigint`): the
   * C-14 case checks that each round-trips instead of expecting it refused.
   * @default []
   */
  represents?: readonly 'bigint'[] | undefined;
  /**
   * True for a store with `update` (conditional writes): the suite checks that concurrent
   * updates lose nothing and that an update against a stale read sees the newer value.
   * @default false
   */
  updates?: boolean | undefined;
  /**
   * True for a store with `readSync`, `writeSync` and `touchSync`: every case runs a second
   * time through them, so that they are proved to answer as `read`, `write` and `touch` do.
   * @default false
   */
  synchronous?: boolean | undefined;
  /** Runs once after the suite, to close clients or servers. */
  after?: (() => void | Promise<void>) | undefined;
}

interface TimeoutOverrides {
  idle?: number;
  absolute?: number;
  touchAfter?: number;
}

/** Writes a new session and returns its key, which a new session always gets. */
async function create(s: SessionStore, data: SessionData): Promise<string> {
  const key = await s.write(undefined, data);
  assert.ok(key !== undefined, 'a new session always gets a key');
  return key;
}

/**
 * A read without its `json`, which a store with `update` adds: checked first to be the JSON
 * of the data read.
 */
function plain(read: StoredSession | undefined): StoredSession | undefined {
  if (read?.json === undefined) return read;
  const { json, ...rest } = read;
  assert.deepEqual(JSON.parse(json), read.data, 'json is the data as stored');
  return rest;
}

const malformedKeys = [
  '',
  '*',
  '../x',
  'user:1:profile',
  'abc\ndef',
  'x'.repeat(10_000),
  'A'.repeat(42),
  'A'.repeat(44),
  'v1.garbage.garbage',
];

/**
 * Registers, with `node:test`, the contract every {@link SessionStore} must keep for
 * `wrapSession`: not-found is not an error, malformed keys are no session, data round-trips
 * as a copy, what JSON cannot represent is refused, the idle and absolute timeouts are
 * enforced on the server, `touch` only moves the deadline, and a server-side store never
 * adopts, resurrects or recreates a key. Each case carries the id of the security case it
 * proves (see the project's `docs/security.md`).
 *
 * Run it from a test file of your own (`node --test`), once per store configuration.
 *
 * @example
 * import { storeContract } from 'sessionkit/testing';
 * storeContract({
 *   name: 'myStore',
 *   make: (options) => myStore({ ...options, client }),
 * });
 */
export function storeContract(store: StoreContractOptions): void {
  cases(store, false);
  if (store.synchronous === true) cases(store, true);
}

/** The store seen through its synchronous twins (as promises, for the cases to await). */
function throughSync(s: SessionStore): SessionStore {
  assert.ok(
    s.readSync !== undefined && s.writeSync !== undefined && s.touchSync !== undefined,
    'a store the suite is told is synchronous has readSync, writeSync and touchSync',
  );
  const view: SessionStore = {
    cookieName: s.cookieName,
    subjects: s.subjects,
    read: async (key) => s.readSync!(key),
    write: async (key, data, createdAt, subject) => s.writeSync!(key, data, createdAt, subject),
    touch: async (key) => s.touchSync!(key),
    delete: (key) => s.delete(key),
  };
  if (s.update !== undefined) view.update = s.update.bind(s);
  return view;
}

function cases(store: StoreContractOptions, sync: boolean): void {
  const title = `SessionStore contract: ${store.name}${sync ? ' (readSync, writeSync, touchSync)' : ''}`;
  describe(title, () => {
    const make = async (clock: Clock, t: TimeoutOverrides = {}): Promise<SessionStore> => {
      const made = await store.make({
        now: clock.now,
        idleTimeoutSeconds: t.idle ?? 3600,
        absoluteTimeoutSeconds: t.absolute ?? 36_000,
        touchAfterSeconds: t.touchAfter ?? 360,
      });
      return sync ? throughSync(made) : made;
    };
    // Once, after the last pass.
    if (store.after !== undefined && sync === (store.synchronous === true)) after(store.after);

    it('R-02: reads a key it never issued as undefined: not found is not an error', async () => {
      const s = await make(new Clock());
      assert.equal(await s.read('A'.repeat(43)), undefined);
    });

    it('L-02: reads malformed keys as undefined without throwing', async () => {
      const s = await make(new Clock());
      for (const key of malformedKeys)
        assert.equal(await s.read(key), undefined, JSON.stringify(key.slice(0, 20)));
    });

    it('writes a new session under a fresh key and reads it back', async () => {
      const clock = new Clock();
      const s = await make(clock);
      const key = await create(s, { user: 'alice', n: [1, 2, { deep: true }] });
      const read = await s.read(key);
      assert.deepEqual(plain(read), {
        data: { user: 'alice', n: [1, 2, { deep: true }] },
        createdAt: clock.seconds,
        stale: false,
      });
    });

    it('S-18: its keys come back through the session cookie that wrapSession writes', async () => {
      const clock = new Clock();
      const s = await make(clock, { idle: 600, absolute: 6000, touchAfter: 60 });
      const app = wrapSession({ store: s })((request) => {
        const n = (request.session?.n as number | undefined) ?? 0;
        return { status: 200, session: { n: n + 1 }, body: String(n) };
      });
      let cookie: string | undefined;
      for (let i = 0; i < 3; i++) {
        const response = await app({
          method: 'GET',
          path: '/',
          query: new URLSearchParams(),
          headers: cookie === undefined ? {} : { cookie },
          scheme: 'https',
        });
        assert.equal(response?.body, String(i), 'the session came back through its cookie');
        const line = [response?.headers?.['set-cookie'] ?? []].flat()[0];
        if (line !== undefined) cookie = String(line).split(';')[0]!;
      }
    });

    it('gives each write of a new session a different key', async () => {
      const s = await make(new Clock());
      const a = await create(s, { x: 1 });
      const b = await create(s, { x: 1 });
      assert.notEqual(a, b);
    });

    it('hands out a copy: mutating what was read does not change the stored session', async () => {
      const s = await make(new Clock());
      const key = await create(s, { list: [1] });
      const first = await s.read(key);
      (first!.data.list as number[]).push(2);
      first!.data.extra = true;
      assert.deepEqual((await s.read(key))!.data, { list: [1] });
    });

    it('keeps the creation time given on a write of an existing session', async () => {
      const clock = new Clock();
      const s = await make(clock);
      const key = await create(s, { v: 1 });
      const created = clock.seconds;
      clock.advance(100);
      const key2 = (await s.write(key, { v: 2 }, created))!;
      assert.deepEqual(plain(await s.read(key2)), {
        data: { v: 2 },
        createdAt: created,
        stale: false,
      });
    });

    it('does not adopt a session key it never issued', async () => {
      const s = await make(new Clock());
      const madeUp = 'Z'.repeat(43);
      const key = await s.write(madeUp, { user: 'mallory' });
      assert.notEqual(key, madeUp);
      assert.equal(await s.read(madeUp), undefined);
    });

    it('C-14: rejects data JSON cannot represent, with unserializable_session', async () => {
      const s = await make(new Clock());
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const bigint = { n: 1n, big: 2n ** 80n };
      if (store.represents?.includes('bigint') === true) {
        const key = await create(s, bigint as unknown as SessionData);
        assert.deepEqual((await s.read(key))!.data, bigint, 'a bigint it accepts round-trips');
      }
      for (const data of [
        ...(store.represents?.includes('bigint') === true ? [] : [bigint]),
        { f: () => 1 },
        { list: [1, undefined] }, // JSON would turn it into null
        { d: new Date() },
        { m: new Map() },
        cyclic,
        { x: NaN },
        [1, 2], // session data is an object at the top level, in every store
        null,
      ]) {
        await assert.rejects(
          s.write(undefined, data as SessionData),
          (error: unknown) =>
            error instanceof SessionkitError && error.code === 'unserializable_session',
        );
      }
    });

    it('C-14: drops a property whose value is undefined, as JSON.stringify does', async () => {
      const s = await make(new Clock());
      const key = await create(s, { user: 'alice', returnTo: undefined, nested: { a: undefined } });
      assert.deepEqual((await s.read(key))!.data, { user: 'alice', nested: {} });
    });

    it('C-13: drops __proto__, constructor and prototype keys from what it reads', async () => {
      const s = await make(new Clock());
      const data = JSON.parse(
        '{"ok":1,"__proto__":{"admin":true},"nested":{"constructor":{"prototype":{"x":1}}}}',
      ) as SessionData;
      const key = await create(s, data);
      const read = await s.read(key);
      assert.deepEqual(Object.keys(read!.data), ['ok', 'nested']);
      assert.deepEqual(Object.keys(read!.data.nested as object), []);
      assert.equal(({} as Record<string, unknown>).admin, undefined);
      assert.equal(({} as Record<string, unknown>).x, undefined);
      assert.equal(Object.getPrototypeOf(read!.data), Object.prototype);
    });

    it('L-09: forgets a session idle for the idle timeout, enforced on the server', async () => {
      const clock = new Clock();
      const s = await make(clock, { idle: 600, absolute: 6000, touchAfter: 60 });
      const key = await create(s, { v: 1 });
      clock.advance(599);
      assert.notEqual(await s.read(key), undefined);
      clock.advance(1);
      assert.equal(await s.read(key), undefined);
    });

    it('L-10: marks a session stale once the touch interval has passed, and touch slides the idle deadline', async () => {
      const clock = new Clock();
      const s = await make(clock, { idle: 600, absolute: 6000, touchAfter: 60 });
      const key = await create(s, { v: 1 });
      clock.advance(59);
      assert.equal((await s.read(key))!.stale, false);
      clock.advance(1);
      const stale = await s.read(key);
      assert.equal(stale!.stale, true);
      const touched = (await s.touch(key))!;
      assert.deepEqual(plain(await s.read(touched)), {
        data: { v: 1 },
        createdAt: stale!.createdAt,
        stale: false,
      });
      clock.advance(599); // 659 s after the write, 599 s after the touch
      assert.notEqual(await s.read(touched), undefined);
    });

    it('Q-03: touch moves the deadline only: changes made in place to what was read are not saved', async () => {
      const clock = new Clock();
      const s = await make(clock, { idle: 600, absolute: 6000, touchAfter: 60 });
      const key = await create(s, { role: 'user' });
      clock.advance(60);
      const read = await s.read(key);
      read!.data.role = 'admin';
      const touched = await s.touch(key);
      assert.deepEqual((await s.read(touched!))!.data, { role: 'user' });
    });

    it('L-08: forgets a session at the absolute timeout however active it is', async () => {
      const clock = new Clock();
      const s = await make(clock, { idle: 600, absolute: 1800, touchAfter: 60 });
      const createdAt = clock.seconds;
      let key = await create(s, { v: 1 });
      while (clock.seconds + 60 < createdAt + 1800) {
        clock.advance(60);
        const read = await s.read(key);
        assert.notEqual(
          read,
          undefined,
          `still there ${clock.seconds - createdAt} s after creation`,
        );
        key = (await s.touch(key))!;
      }
      clock.ms = (createdAt + 1800) * 1000;
      assert.equal(await s.read(key), undefined);
    });

    if (store.stateless !== true) {
      it('L-06: a deleted session reads as undefined', async () => {
        const s = await make(new Clock());
        const key = await create(s, { v: 1 });
        await s.delete(key);
        assert.equal(await s.read(key), undefined);
      });

      it('Q-03: touch never recreates a deleted session', async () => {
        const s = await make(new Clock());
        const key = await create(s, { v: 1 });
        await s.delete(key);
        assert.equal(await s.touch(key), undefined);
        assert.equal(await s.read(key), undefined);
      });

      it('Q-02: a late write under a deleted key stores nothing and resolves to undefined', async () => {
        const s = await make(new Clock());
        const key = await create(s, { user: 'alice' });
        await s.delete(key); // logout or regeneration by another request
        assert.equal(await s.write(key, { user: 'alice', visits: 1 }), undefined);
        assert.equal(await s.read(key), undefined);
      });

      it('keeps the key on a write of an existing session', async () => {
        const s = await make(new Clock());
        const key = await create(s, { v: 1 });
        assert.equal(await s.write(key, { v: 2 }), key);
      });
      if (store.updates === true) {
        it('Q-12: update is atomic: 100 concurrent increments of one session give 100', async () => {
          const s = await make(new Clock());
          assert.equal(typeof s.update, 'function');
          const key = await create(s, { n: 0, other: 'kept' });
          const increment = (current: { data: SessionData }): SessionData => ({
            ...current.data,
            n: (current.data.n as number) + 1,
          });
          const results = await Promise.all(
            Array.from({ length: 100 }, () => s.update!(key, increment)),
          );
          assert.ok(results.every((r) => r?.key === key));
          assert.deepEqual((await s.read(key))!.data, { n: 100, other: 'kept' });
        });

        it('Q-11: update against a session read before another write gets what that write stored', async () => {
          const s = await make(new Clock());
          assert.equal(typeof s.update, 'function');
          const key = await create(s, { a: 1, b: 1 });
          const known = (await s.read(key))!;
          assert.equal(typeof known.json, 'string', 'a store with update gives the json it read');
          await s.write(key, { a: 2, b: 1 }, known.createdAt); // another request, meanwhile
          const seen: SessionData[] = [];
          const written = await s.update!(
            key,
            (current) => {
              seen.push(current.data);
              return { ...current.data, b: 2 };
            },
            known,
          );
          assert.deepEqual(seen.at(-1), { a: 2, b: 1 });
          assert.equal(written!.key, key);
          assert.deepEqual(JSON.parse(written!.json), { a: 2, b: 2 });
          const read = (await s.read(key))!;
          assert.deepEqual(read.data, { a: 2, b: 2 });
          assert.equal(read.createdAt, known.createdAt);
        });

        it('Q-02: update under a deleted key writes nothing', async () => {
          const s = await make(new Clock());
          assert.equal(typeof s.update, 'function');
          const key = await create(s, { v: 1 });
          const known = (await s.read(key))!;
          await s.delete(key);
          let called = false;
          const change = (): SessionData => {
            called = true;
            return { v: 2 };
          };
          assert.equal(await s.update!(key, change), undefined);
          assert.equal(called, false, 'a store that reads first finds nothing to change');
          // Trying the write against what was read may run change before finding it gone.
          assert.equal(await s.update!(key, change, known), undefined);
          assert.equal(await s.read(key), undefined);
        });
      }
    } else if (store.revokes === true) {
      it('L-07: a copied value reads as undefined once deleted (revoked)', async () => {
        const s = await make(new Clock());
        const key = await create(s, { user: 'alice' });
        const copy = await s.touch(key); // another copy of the same session
        await s.delete(key);
        assert.equal(await s.read(key), undefined);
        assert.equal(await s.read(copy!), undefined);
      });

      it('Q-04: touch and a late write under a revoked value revive nothing', async () => {
        const s = await make(new Clock());
        const key = await create(s, { user: 'alice' });
        await s.delete(key); // logout by another request
        assert.equal(await s.touch(key), undefined);
        assert.equal(await s.write(key, { user: 'alice', visits: 1 }), undefined);
        assert.equal(await s.read(key), undefined);
      });
    } else {
      it('L-07: a copied value stays readable after delete until its idle or absolute expiry (documented replay window)', async () => {
        const clock = new Clock();
        const s = await make(clock, { idle: 600, absolute: 6000, touchAfter: 60 });
        const key = await create(s, { user: 'alice' });
        await s.delete(key);
        assert.deepEqual((await s.read(key))!.data, { user: 'alice' });
        clock.advance(600);
        assert.equal(await s.read(key), undefined);
      });
    }
  });
}
