import assert from 'node:assert/strict';
import type { SessionData } from '../src/core/types.ts';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cookieStore } from '../src/stores/cookie/cookie-store.ts';
import { createSealer } from '../src/crypto/seal.ts';
import { loadSodiumProvider, nodeProvider } from '../src/crypto/xchacha.ts';
import { v1Sealer } from './support/v1-seal.ts';

/** Key material (as `npx sessionkit secret` prints): used as is. */
const secrets = ['Kp7tR2vX9mQ4wL1sB8nF5hD3jG6cZ0aYeUoIiEyTrWM'];
const sealer = createSealer({ secrets, cookieName: 'session' });
const nodeSealer = createSealer({ secrets, cookieName: 'session', provider: 'node:crypto' });
const v1 = v1Sealer(secrets[0]!, 'session');
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
  void it('C-01: unseal(seal(x)) is x for any well-formed string, with either provider', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const opened = { plaintext: text, keyIndex: 0, version: 2 };
        assert.deepEqual(sealer.unseal(sealer.seal(text)), opened);
        assert.deepEqual(sealer.unseal(nodeSealer.seal(text)), opened);
        assert.deepEqual(nodeSealer.unseal(sealer.seal(text)), opened);
      }),
    );
  });

  void it('C-21: a v1 value of any well-formed string still opens, as version 1', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        assert.deepEqual(sealer.unseal(v1.seal(text)), {
          plaintext: text,
          keyIndex: 0,
          version: 1,
        });
      }),
    );
  });

  void it('C-22: the length of a value depends only on the plaintext length rounded up to 32 bytes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), (a, b) => {
        const block = (s: string) => Math.floor(Buffer.byteLength(s) / 32);
        fc.pre(block(a) === block(b));
        assert.equal(sealer.seal(a).length, sealer.seal(b).length);
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
        .map((body) => sealer.seal('x').slice(0, 16) + body),
      fc
        .string({ unit: fc.constantFrom(...base64url, '=', '+', '/'), maxLength: 200 })
        .map((body) => v1.seal('x').slice(0, 12) + body),
      fc.string({ unit: 'binary' }).map((s) => `v1.${s}`),
      fc.string({ unit: 'binary' }).map((s) => `v2.${s}`),
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

void describe('XChaCha20-Poly1305 providers', () => {
  const sodium = loadSodiumProvider();
  const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });

  void it('sodium-native and node:crypto write identical bytes for any key, nonce, AAD and plaintext', () => {
    assert.ok(sodium, 'sodium-native is a dev dependency: both providers are compared');
    fc.assert(
      fc.property(
        bytes(32),
        bytes(24),
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 600 }),
        (key, nonce, aad, plaintext) => {
          const viaNode = Buffer.alloc(plaintext.length + 16);
          const viaSodium = Buffer.alloc(plaintext.length + 16);
          nodeProvider.seal(viaNode, plaintext, aad, nonce, Buffer.from(key));
          sodium.seal(viaSodium, plaintext, aad, nonce, Buffer.from(key));
          assert.deepEqual(viaNode, viaSodium);
          const expected = Buffer.from(plaintext);
          assert.deepEqual(nodeProvider.open(viaSodium, aad, nonce, Buffer.from(key)), expected);
          assert.deepEqual(sodium.open(viaNode, aad, nonce, Buffer.from(key)), expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  void it('both refuse the same tampered values', () => {
    assert.ok(sodium);
    fc.assert(
      fc.property(
        bytes(32),
        bytes(24),
        fc.uint8Array({ minLength: 1, maxLength: 100 }),
        fc.nat(),
        (key, nonce, plaintext, at) => {
          const sealed = Buffer.alloc(plaintext.length + 16);
          nodeProvider.seal(sealed, plaintext, Buffer.alloc(0), nonce, Buffer.from(key));
          sealed[at % sealed.length]! ^= 1;
          const none = Buffer.alloc(0);
          assert.equal(nodeProvider.open(sealed, none, nonce, Buffer.from(key)), undefined);
          assert.equal(sodium.open(sealed, none, nonce, Buffer.from(key)), undefined);
        },
      ),
    );
  });
});
