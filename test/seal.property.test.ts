import assert from 'node:assert/strict';
import type { SessionData } from '../src/core/types.ts';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cookieStore } from '../src/stores/cookie/cookie-store.ts';
import { createSealer } from '../src/crypto/seal.ts';

const secrets = ['sessionkit property secret, 32 bytes+'];
const sealer = createSealer({ secrets, cookieName: 'session' });
const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const dropped = new Set(['__proto__', 'constructor', 'prototype']);

/** What a JSON value reads back as: -0 is 0, and the keys parseSessionJson drops by design (C-13) are gone. */
function normalize(value: unknown): unknown {
  if (typeof value === 'number') return value === 0 ? 0 : value;
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (!dropped.has(key)) out[key] = normalize(item);
    }
    return out;
  }
  return value;
}

const sessionData = fc
  .jsonValue()
  .filter((value) => typeof value === 'object' && value !== null && !Array.isArray(value))
  .map((value) => value as Record<string, unknown>);

void describe('seal laws', () => {
  void it('C-01: unseal(seal(x)) is x for any well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        assert.deepEqual(sealer.unseal(sealer.seal(text)), { plaintext: text, keyIndex: 0 });
      }),
    );
  });

  void it('C-02: any single changed, deleted or inserted character makes a seal unreadable', () => {
    const edit = fc.oneof(
      fc.record({
        kind: fc.constant('replace' as const),
        at: fc.nat(),
        char: fc.constantFrom(...base64url),
      }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), char: fc.constant('') }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        char: fc.constantFrom(...base64url, '.', '='),
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), edit, (text, { kind, at, char }) => {
        const sealed = sealer.seal(text);
        const i = at % (sealed.length + (kind === 'insert' ? 1 : 0));
        let changed: string;
        if (kind === 'insert') changed = sealed.slice(0, i) + char + sealed.slice(i);
        else if (kind === 'delete') changed = sealed.slice(0, i) + sealed.slice(i + 1);
        else {
          fc.pre(sealed[i] !== char);
          changed = sealed.slice(0, i) + char + sealed.slice(i + 1);
        }
        assert.equal(sealer.unseal(changed), undefined);
      }),
    );
  });

  void it('C-03: unseal never throws, on any string', () => {
    const arbitrary = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom(...base64url, '.', '=', '+', '/', ' ') }),
      fc
        .string({ unit: fc.constantFrom(...base64url, '=', '+', '/'), maxLength: 200 })
        .map((body) => sealer.seal('x').slice(0, 12) + body),
      fc.string({ unit: 'binary' }).map((s) => `v1.${s}`),
    );
    fc.assert(
      fc.property(arbitrary, (value) => {
        assert.equal(sealer.unseal(value), undefined);
      }),
    );
  });
});

void describe('cookieStore laws', () => {
  void it('C-14: write then read round-trips any JSON object', async () => {
    const store = cookieStore({ secrets, now: () => 1_700_000_000_000 });
    await fc.assert(
      fc.asyncProperty(sessionData, async (data) => {
        fc.pre(JSON.stringify(data).length < 2800); // larger ones are cookie_too_large by design
        const session = await store.read(await store.write(undefined, data as SessionData));
        assert.deepEqual(session?.data, normalize(data));
      }),
    );
  });

  void it('C-02: read never rejects, and reads any tampered value as nothing', async () => {
    const store = cookieStore({ secrets, now: () => 1_700_000_000_000 });
    const key = await store.write(undefined, { user: 1 });
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom(...base64url), async (at, char) => {
        const i = at % key.length;
        fc.pre(key[i] !== char);
        assert.equal(await store.read(key.slice(0, i) + char + key.slice(i + 1)), undefined);
      }),
    );
  });
});
