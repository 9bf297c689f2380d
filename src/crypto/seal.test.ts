import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SessionkitError } from '../core/errors.ts';
import { v1Sealer } from '../../test/support/v1-seal.ts';
import { deriveKeys } from './keys.ts';
import { createSealer, maxSealedLength, paddingBlock } from './seal.ts';

/** Key material: used as is, so these tests pay no scrypt. */
const k0 = 'Qx1vB7nM3kL9pT5rW2yC8dF4hJ6gS0aZeUiOoXwVnAA';
const k1 = 'CvfsiNAILeWibjCCxCHOVIrMD0ItFIS0vkLpJ6L9sF4';
const k2 = 'hW3xQ0mZc1Ypk4T7dNvR9sLb2Gf6Jq8Ue5Ka0Xo3Vr4';
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

interface V1Fixture {
  kind: 'key material' | 'passphrase';
  secret: string;
  cookieName: string;
  createdAt: number;
  lastActivity: number;
  data: Record<string, unknown>;
  value: string;
}
const fixtures = (
  JSON.parse(
    readFileSync(new URL('../../test/fixtures/v1-cookies.json', import.meta.url), 'utf8'),
  ) as { values: V1Fixture[] }
).values;

const sealer = createSealer({ secrets: [k1], cookieName: 'session' });
const text = '{"user":{"id":42,"name":"Zoë"},"roles":["admin"]}';

/** `v2.` + 12-character key id + `.` */
const prefixLength = 16;
const bodyOf = (sealed: string) => sealed.slice(prefixLength);
const prefixOf = (sealed: string) => sealed.slice(0, prefixLength);

void describe('createSealer', () => {
  void it('C-01: unseal(seal(x)) is x, and two seals of x differ', () => {
    const a = sealer.seal(text);
    const b = sealer.seal(text);
    assert.notEqual(a, b);
    assert.deepEqual(sealer.unseal(a), { plaintext: text, keyIndex: 0, version: 2 });
    assert.deepEqual(sealer.unseal(b), { plaintext: text, keyIndex: 0, version: 2 });
    assert.deepEqual(sealer.unseal(sealer.seal('')), { plaintext: '', keyIndex: 0, version: 2 });
  });

  void it('writes v2.<keyId>.<base64url(nonce ‖ ciphertext ‖ tag)>, the plaintext padded to 32 bytes', () => {
    const sealed = sealer.seal(text);
    const [version, keyId, body, ...rest] = sealed.split('.');
    assert.equal(version, 'v2');
    assert.equal(keyId, deriveKeys([k1], 'session-enc').current.id);
    assert.match(body!, /^[A-Za-z0-9_-]+$/);
    assert.equal(rest.length, 0);
    const padded = Math.ceil((Buffer.byteLength(text) + 1) / paddingBlock) * paddingBlock;
    assert.equal(Buffer.from(body!, 'base64url').length, 24 + padded + 16);
  });

  void it('C-22: gives values of one length for plaintexts within one 32-byte block', () => {
    const lengths = ['user', 'admin', 'superadmin'].map(
      (role) =>
        sealer.seal(`{"c":1764300000,"a":1764300000,"d":{"user":"ada","role":"${role}"}}`).length,
    );
    assert.deepEqual(new Set(lengths).size, 1, `${lengths.join(', ')}`);
    for (let n = 0; n < 100; n++) {
      const bytes = Buffer.from(bodyOf(sealer.seal('x'.repeat(n))), 'base64url').length;
      assert.equal(bytes, 40 + (Math.floor(n / 32) + 1) * 32, `${n} bytes of plaintext`);
    }
  });

  void it('binds the cookie name: a value moved to another cookie does not open', () => {
    const other = createSealer({ secrets: [k1], cookieName: 'remember' });
    assert.equal(other.unseal(sealer.seal(text)), undefined);
  });

  void it('K-10: binds the audience: a value from another deployment on the same secret does not open', () => {
    const staging = createSealer({
      secrets: [k1],
      cookieName: 'session',
      audience: 'shop-staging',
    });
    const production = createSealer({ secrets: [k1], cookieName: 'session', audience: 'shop' });
    const sealed = staging.seal(text);
    assert.equal(production.unseal(sealed), undefined);
    assert.equal(sealer.unseal(sealed), undefined, 'nor where no audience is set');
    assert.equal(staging.unseal(sealer.seal(text)), undefined);
    assert.deepEqual(staging.unseal(sealed)?.plaintext, text);
  });

  void it('K-04: binds the purpose: a sealer for another purpose cannot open it', () => {
    const csrf = createSealer({ secrets: [k1], cookieName: 'session', purpose: 'csrf' });
    assert.equal(csrf.unseal(sealer.seal(text)), undefined);
  });

  void it('C-02: rejects a value with any single character changed', () => {
    const sealed = sealer.seal(text);
    for (let i = 0; i < sealed.length; i++) {
      const replacement = sealed[i] === 'A' ? 'B' : 'A';
      const changed = sealed.slice(0, i) + replacement + sealed.slice(i + 1);
      assert.equal(sealer.unseal(changed), undefined, `character ${i}`);
    }
  });

  void it('C-02: rejects a value with any bit of the nonce, ciphertext or tag flipped', () => {
    const sealed = sealer.seal(text);
    const bytes = Buffer.from(bodyOf(sealed), 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const copy = Buffer.from(bytes);
        copy[i]! ^= 1 << bit;
        const changed = prefixOf(sealed) + copy.toString('base64url');
        assert.equal(sealer.unseal(changed), undefined, `${i}:${bit}`);
      }
    }
  });

  void it('C-03: rejects truncated values, bad separators and empty segments', () => {
    const sealed = sealer.seal(text);
    const [, keyId, body] = sealed.split('.') as [string, string, string];
    const cases = [
      '',
      'v2',
      'v2.',
      `v2.${keyId}`,
      `v2.${keyId}.`,
      `v2..${body}`,
      `v2.${keyId}${body}`,
      `v2${keyId}.${body}`,
      `v2.${keyId}..${body}`,
      `v2.${keyId}.${body}.`,
      `.v2.${keyId}.${body}`,
      `v2.${keyId}.${body.slice(0, 30)}`,
      `v2.${keyId}.${body.slice(0, 96)}`, // 72 bytes: one short of nonce + one block + tag
      sealed.slice(0, -1),
      sealed.slice(0, -4),
      sealed.slice(1),
    ];
    for (const value of cases) assert.equal(sealer.unseal(value), undefined, value);
  });

  void it('C-03: rejects non-canonical base64url that Buffer would decode to the same bytes', () => {
    let sealed = sealer.seal(text);
    // Both replacements below must change the body, so it needs a '-' and a '_'.
    while (!/-/.test(bodyOf(sealed)) || !/_/.test(bodyOf(sealed))) sealed = sealer.seal(text);
    const body = bodyOf(sealed);
    const bytes = Buffer.from(body, 'base64url');
    const variants = [
      body.replace('-', '+'),
      body.replace('_', '/'),
      `${body}=`,
      `${body}==`,
      `${body.slice(0, 10)} ${body.slice(10)}`,
      `${body.slice(0, 10)}\n${body.slice(10)}`,
      `${body.slice(0, 10)}!${body.slice(10)}`,
      `${body.slice(0, 10)}\u00e9${body.slice(10)}`,
    ];
    for (const variant of variants) {
      assert.ok(Buffer.from(variant, 'base64url').equals(bytes), 'the decoder is lenient');
      assert.equal(sealer.unseal(prefixOf(sealed) + variant), undefined, JSON.stringify(variant));
    }
    // A body whose byte length leaves bits over (40 + 64 = 104 bytes: 2 spare bits).
    const odd = sealer.seal('x'.repeat(40));
    const oddBody = bodyOf(odd);
    assert.notEqual(oddBody.length % 4, 0);
    const last = alphabet.indexOf(oddBody.at(-1)!);
    const trailing = oddBody.slice(0, -1) + alphabet[last | 1]!;
    assert.notEqual(trailing, oddBody);
    assert.ok(Buffer.from(trailing, 'base64url').equals(Buffer.from(oddBody, 'base64url')));
    assert.equal(sealer.unseal(prefixOf(odd) + trailing), undefined);
  });

  void it('C-04: rejects a tag cut to 4, 8 or 12 bytes', () => {
    for (const plaintext of ['', text]) {
      const sealed = sealer.seal(plaintext);
      const bytes = Buffer.from(bodyOf(sealed), 'base64url');
      for (const tagLength of [4, 8, 12]) {
        const cut = bytes.subarray(0, bytes.length - 16 + tagLength).toString('base64url');
        assert.equal(sealer.unseal(prefixOf(sealed) + cut), undefined, `${tagLength}`);
      }
    }
  });

  void it('C-05: rejects a value sealed with a key it does not know', () => {
    const other = createSealer({ secrets: [k2], cookieName: 'session' });
    assert.equal(other.unseal(sealer.seal(text)), undefined);
    // The same key id cannot help: the id names the key, the key still has to match.
    const swapped = prefixOf(sealer.seal('')) + bodyOf(other.seal(text));
    assert.equal(sealer.unseal(swapped), undefined);
  });

  void it('C-06: opens values of previous secrets with their index, seals only with the current one', () => {
    const old = createSealer({ secrets: [k1], cookieName: 'session' });
    const removed = createSealer({ secrets: [k0], cookieName: 'session' });
    const rotated = createSealer({ secrets: [k2, k1], cookieName: 'session' });
    assert.deepEqual(rotated.unseal(old.seal(text)), { plaintext: text, keyIndex: 1, version: 2 });
    assert.equal(rotated.unseal(removed.seal(text)), undefined);
    const currentId = deriveKeys([k2], 'session-enc').current.id;
    for (let i = 0; i < 20; i++) assert.ok(rotated.seal(text).startsWith(`v2.${currentId}.`));
    assert.deepEqual(rotated.unseal(rotated.seal(text)), {
      plaintext: text,
      keyIndex: 0,
      version: 2,
    });
  });

  void it('C-07: rejects unknown, odd and very long key ids without throwing', () => {
    const body = bodyOf(sealer.seal(text));
    for (const keyId of [
      'AAAAAAAAAAAA',
      'zUyJMxsvZr1!',
      'zUyJMx svZr1',
      '../../../../',
      'é'.repeat(12),
      'x'.repeat(500),
    ]) {
      assert.equal(sealer.unseal(`v2.${keyId}.${body}`), undefined, keyId);
    }
  });

  void it('C-15: answers undefined for non-strings, empty strings and bodies of other lengths', () => {
    for (const value of [
      undefined,
      null,
      0,
      42,
      {},
      [],
      Buffer.from('v2.'),
      Symbol('x'),
      () => 1,
    ]) {
      assert.equal(sealer.unseal(value as string), undefined);
    }
    assert.equal(sealer.unseal(''), undefined);
    const sealed = sealer.seal(text);
    const bytes = Buffer.from(bodyOf(sealed), 'base64url');
    for (const extra of [4, 32]) {
      const longer = Buffer.concat([bytes, Buffer.alloc(extra)]).toString('base64url');
      assert.equal(sealer.unseal(prefixOf(sealed) + longer), undefined, `${extra} more bytes`);
    }
  });

  void it('C-17: rejects unknown versions, iron seals and Ring values', () => {
    const sealed = sealer.seal(text);
    const rest = sealed.slice(2);
    for (const value of [
      `v0${rest}`,
      `v3${rest}`,
      `V2${rest}`,
      `v20${rest}`,
      rest.slice(1),
      `Fe26.2**${bodyOf(sealed)}*abc*def*1234*xyz`,
      'b2xkIHJpbmcgdmFsdWU=--c2lnbmF0dXJlAAAAAAAAAAAAAAAAAAAA',
    ]) {
      assert.equal(sealer.unseal(value), undefined, value);
    }
  });

  void it('Z-03: rejects a value over 4096 characters, even an authentic one', () => {
    // 16 + 4·(24 + 3008 + 16)/3 = 4080 characters; one block more is 4123.
    const fits = sealer.seal('x'.repeat(3007));
    assert.equal(fits.length, 4080);
    assert.ok(fits.length <= maxSealedLength);
    assert.notEqual(sealer.unseal(fits), undefined);
    const big = sealer.seal('x'.repeat(3008));
    assert.equal(big.length, 4123);
    assert.equal(sealer.unseal(big), undefined);
    assert.equal(sealer.unseal(`v2.${'A'.repeat(10_000_000)}`), undefined);
  });

  void it('C-19: 10^5 seals with one key never repeat a nonce', () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 100_000; i++) nonces.add(bodyOf(sealer.seal('x')).slice(0, 32));
    assert.equal(nonces.size, 100_000);
  });

  void it('never throws on garbage', () => {
    const id = deriveKeys([k1], 'session-enc').current.id;
    const values = ['v2.', 'v2.........', `v2.${id}.`, `v2.${id}.====`, '\u0000'.repeat(100)];
    values.push(`v2.${id}.${'A'.repeat(96)}`, `v2.${id}.${'\ud800'.repeat(100)}`);
    values.push(`v1.${'A'.repeat(8)}.${'A'.repeat(60)}`);
    for (const value of values) assert.equal(sealer.unseal(value), undefined);
  });

  void it('refuses a missing cookie name, purpose or provider at construction', () => {
    for (const options of [
      { secrets: [k1], cookieName: '' },
      { secrets: [k1], cookieName: 3 as unknown as string },
      { secrets: [k1], cookieName: 'session', purpose: '' },
      { secrets: [k1], cookieName: 'session', provider: 'openssl' as 'auto' },
    ]) {
      assert.throws(
        () => createSealer(options),
        (error: unknown) => error instanceof SessionkitError && error.code === 'invalid_option',
      );
    }
  });
});

void describe('createSealer providers', () => {
  const node = createSealer({ secrets: [k1], cookieName: 'session', provider: 'node:crypto' });
  const sodium = createSealer({ secrets: [k1], cookieName: 'session', provider: 'sodium-native' });

  void it("uses sodium-native when installed ('auto'), node:crypto when asked", () => {
    assert.equal(sealer.provider, 'sodium-native');
    assert.equal(sodium.provider, 'sodium-native');
    assert.equal(node.provider, 'node:crypto');
  });

  void it('each opens what the other sealed', () => {
    for (const plaintext of ['', text, 'é'.repeat(100)]) {
      assert.equal(node.unseal(sodium.seal(plaintext))?.plaintext, plaintext);
      assert.equal(sodium.unseal(node.seal(plaintext))?.plaintext, plaintext);
    }
  });

  void it('C-02: node:crypto refuses a changed character too', () => {
    const sealed = node.seal(text);
    for (let i = prefixLength; i < sealed.length; i += 3) {
      const changed = sealed.slice(0, i) + (sealed[i] === 'A' ? 'B' : 'A') + sealed.slice(i + 1);
      assert.equal(node.unseal(changed), undefined, `character ${i}`);
    }
  });
});

void describe('createSealer and format v1', () => {
  void it('C-21: still opens v1 values made by sessionkit 0.1 under a key-material secret, as version 1', () => {
    const fixture = fixtures.find((f) => f.kind === 'key material')!;
    const reader = createSealer({ secrets: [fixture.secret], cookieName: fixture.cookieName });
    const opened = reader.unseal(fixture.value);
    assert.equal(opened?.version, 1);
    assert.equal(opened?.keyIndex, 0);
    assert.deepEqual(JSON.parse(opened.plaintext), {
      c: fixture.createdAt,
      a: fixture.lastActivity,
      d: fixture.data,
    });
    // Whatever the audience: v1 had none.
    const audience = createSealer({
      secrets: [fixture.secret],
      cookieName: 'session',
      audience: 'x',
    });
    assert.equal(audience.unseal(fixture.value)?.version, 1);
  });

  void it('K-08: refuses v1 values under a passphrase: whoever guessed it offline could forge them', () => {
    const fixture = fixtures.find((f) => f.kind === 'passphrase')!;
    const reader = createSealer({ secrets: [fixture.secret], cookieName: fixture.cookieName });
    assert.equal(reader.unseal(fixture.value), undefined);
    assert.notEqual(reader.unseal(reader.seal(text)), undefined, 'v2 works under it');
  });

  void it('C-06: opens v1 values of a previous secret with its index', () => {
    const old = v1Sealer(k1, 'session');
    const rotated = createSealer({ secrets: [k2, k1], cookieName: 'session' });
    assert.deepEqual(rotated.unseal(old.seal(text)), { plaintext: text, keyIndex: 1, version: 1 });
    assert.equal(rotated.unseal(v1Sealer(k0, 'session').seal(text)), undefined);
    assert.equal(rotated.unseal(v1Sealer(k1, 'remember').seal(text)), undefined, 'cookie name');
  });

  void it('K-09: opens v1 values of two secrets whose 48-bit v1 ids collide, each with its own index', () => {
    const collision = JSON.parse(
      readFileSync(new URL('../../test/fixtures/v1-id-collision.json', import.meta.url), 'utf8'),
    ) as { id: string; secrets: [string, string] };
    const [a, b] = collision.secrets.map((secret) => v1Sealer(secret, 'session'));
    assert.equal(a!.id, collision.id);
    assert.equal(b!.id, collision.id);
    const reader = createSealer({ secrets: collision.secrets, cookieName: 'session' });
    assert.deepEqual(reader.unseal(a!.seal('from a')), {
      plaintext: 'from a',
      keyIndex: 0,
      version: 1,
    });
    assert.deepEqual(reader.unseal(b!.seal('from b')), {
      plaintext: 'from b',
      keyIndex: 1,
      version: 1,
    });
  });

  void it('C-17: a v2 value never opens as v1, nor a v1 value as v2', () => {
    const v1 = v1Sealer(k1, 'session');
    // 44 bytes of plaintext: a v1 body of 12 + 44 + 16 = 72 bytes, a valid v2 layout (24 + 32 + 16).
    const oldValue = v1.seal('x'.repeat(44));
    const asV2 = prefixOf(sealer.seal('')) + oldValue.slice('v1.xxxxxxxx.'.length);
    assert.equal(Buffer.from(bodyOf(asV2), 'base64url').length, 72);
    assert.equal(sealer.unseal(asV2), undefined);
    const newValue = sealer.seal(text);
    const asV1 = `v1.${v1.id}.${bodyOf(newValue)}`;
    assert.equal(sealer.unseal(asV1), undefined);
    assert.notEqual(sealer.unseal(oldValue), undefined);
  });
});
