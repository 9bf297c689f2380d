import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { responseOf } from '../../../test/support/fakes.ts';
import type { HandlerResult, RequestMap } from '../../core/types.ts';
import { wrapSession } from '../../session/wrap-session.ts';
import { Clock } from '../../testing/clock.ts';
import { storeContract } from '../../testing/store-contract.ts';
import { cookieStore } from '../cookie/cookie-store.ts';
import { memoryStore } from '../memory/memory-store.ts';
import { ringCookieStore } from '../ring/ring-cookie-store.ts';
import { formEncode, ringKey, sealRing } from '../ring/ring-seal.ts';
import { migratingStore } from './migrating-store.ts';

const secret = 'kR3v9Lq2xW8mZ4pT6yB1nH5sD7fG0jCe-migrate';
const kitKey = '16charsecrethere';

/** A cookie value exactly as Kit's Ring sets it. */
/** A session Kit sealed: the store key, as wrapSession hands it to a store. */
const kitSeal = (edn: string): string => sealRing(ringKey(kitKey, 'test'), edn);
/** The same as Kit's wrap-cookies puts it in the Cookie header. */
const kitCookie = (edn: string): string => formEncode(kitSeal(edn));

storeContract({
  name: 'migratingStore (cookieStore ← ringCookieStore)',
  stateless: true,
  make: (options) =>
    migratingStore({
      store: cookieStore({ secrets: [secret], ...options }),
      legacy: ringCookieStore({ key: kitKey, values: 'json', ...options }),
    }),
});

storeContract({
  name: 'migratingStore (memoryStore ← ringCookieStore)',
  make: (options) =>
    migratingStore({
      store: memoryStore(options),
      legacy: ringCookieStore({ key: kitKey, values: 'json', ...options }),
    }),
});

function request(cookie?: string): RequestMap {
  return {
    method: 'GET',
    path: '/',
    query: new URLSearchParams(),
    scheme: 'http',
    headers: cookie === undefined ? {} : { cookie },
  };
}

function setCookieValue(response: HandlerResult, name: string): string | undefined {
  const line = [responseOf(response).headers?.['set-cookie'] ?? []]
    .flat()
    .map(String)
    .find((l) => l.startsWith(`${name}=`));
  return line?.slice(name.length + 1, line.indexOf(';'));
}

describe('migratingStore', () => {
  const make = (clock = new Clock()) =>
    migratingStore({
      store: cookieStore({ secrets: [secret], cookieName: 'myapp', now: clock.now }),
      legacy: ringCookieStore({ key: kitKey, values: 'json', now: clock.now }),
    });

  it('C-18: accepts a Kit cookie once and re-seals it in sessionkit format on that response, even when the handler does not write', async () => {
    const seen: unknown[] = [];
    const app = wrapSession({ store: make() })((req) => {
      seen.push(req.session);
      return { status: 200 };
    });
    const kit = kitCookie('{:user "alice", :role :admin, :_flash "Welcome"}');
    const first = await app(request(`myapp=${kit}`));
    const resealed = setCookieValue(first, 'myapp');
    assert.match(resealed!, /^v\d+\./, 'the response carries the new format');
    const second = await app(request(`myapp=${resealed}`));
    assert.equal(setCookieValue(second, 'myapp'), undefined, 'nothing left to migrate');
    const expected = { user: 'alice', role: 'admin', _flash: 'Welcome' };
    assert.deepEqual(seen, [expected, expected]);
  });

  it('writes what the handler wrote through the new store, never the legacy format', async () => {
    const app = wrapSession({ store: make() })((req) => ({
      status: 200,
      session: { ...req.session, visits: 1 },
    }));
    const response = await app(request(`myapp=${kitCookie('{:user "bob"}')}`));
    const value = setCookieValue(response, 'myapp')!;
    assert.match(value, /^v\d+\./);
    assert.deepEqual((await make().read(value))!.data, { user: 'bob', visits: 1 });
  });

  it('moves a session into a server-side store under a new key', async () => {
    const memory = memoryStore();
    const store = migratingStore({
      store: memory,
      legacy: ringCookieStore({ key: kitKey, values: 'json' }),
    });
    const kit = kitSeal('{:user "carol"}');
    const touched = (await store.touch(kit))!;
    assert.deepEqual((await memory.read(touched))!.data, { user: 'carol' });
    const written = (await store.write(kit, { user: 'dave' }))!;
    assert.notEqual(written, kit);
    assert.deepEqual((await memory.read(written))!.data, { user: 'dave' });
  });

  it('reads a tampered or foreign Kit cookie as no session', async () => {
    const store = make();
    const kit = kitSeal('{:user "alice"}');
    const tampered = kit.slice(0, 10) + (kit[10] === 'A' ? 'B' : 'A') + kit.slice(11);
    assert.equal(await store.read(tampered), undefined);
    const otherKey = sealRing(ringKey('0123456789abcdef', 'test'), '{:user "alice"}');
    assert.equal(await store.read(otherKey), undefined);
    assert.equal(await store.touch(otherKey), undefined);
  });

  it('refuses options that are not stores', () => {
    assert.throws(
      () => migratingStore({ store: make(), legacy: {} as never }),
      /option legacy is invalid/,
    );
  });
});
