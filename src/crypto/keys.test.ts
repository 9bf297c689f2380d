import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { SessionkitError } from '../core/errors.ts';
import { deriveKeys, equalBytes, minSecretBytes, randomSecret } from './keys.ts';
import { fields, scrypt } from './kdf.ts';
import { isKeyMaterial } from './secret.ts';

/** Key material (base64url of 32 random bytes): used as is. */
const secretA = 'CvfsiNAILeWibjCCxCHOVIrMD0ItFIS0vkLpJ6L9sF4';
const secretB = 'hW3xQ0mZc1Ypk4T7dNvR9sLb2Gf6Jq8Ue5Ka0Xo3Vr4';
/** Not key material: stretched with scrypt (~100 ms, once per process). */
const passphrase = 'correct horse battery staple 2024, sessionkit';

function thrown(fn: () => unknown): SessionkitError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SessionkitError, `expected a SessionkitError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a throw');
}

/** RFC 5869 written out with HMAC, independently of node:crypto's hkdfSync. */
function hkdfByHand(ikm: Buffer, salt: string, info: Buffer, length: number): Buffer {
  const prk = createHmac('sha256', salt).update(ikm).digest();
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1; blocks.length * 32 < length; i++) {
    previous = createHmac('sha256', prk)
      .update(Buffer.concat([previous, info, Buffer.from([i])]))
      .digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

void describe('deriveKeys', () => {
  void it('derives key = HKDF(secret, "sessionkit/v2", fields("key", purpose, audience)) and a 9-byte id', () => {
    const ikm = Buffer.from(secretA);
    for (const audience of ['', 'shop-production']) {
      const ring = deriveKeys([secretA], 'session-enc', { audience });
      const key = hkdfByHand(ikm, 'sessionkit/v2', fields('key', 'session-enc', audience), 32);
      const id = hkdfByHand(ikm, 'sessionkit/v2', fields('key-id', audience), 9);
      assert.deepEqual(ring.current.key.export(), key);
      assert.equal(ring.current.id, id.toString('base64url'));
      assert.equal(ring.current.stretched, false);
    }
    // Format v2 is frozen: these bytes are in every cookie sealed with this secret.
    const ring = deriveKeys([secretA], 'session-enc');
    assert.equal(
      ring.current.key.export().toString('hex'),
      'a7e4a87f3d0197c239436faba5e07337f032a913152530e84ba811bce5a79e91',
    );
    assert.equal(ring.current.id, 'zUyJMxsvZr17');
  });

  void it('K-08: stretches a secret that is not key material with scrypt before HKDF', () => {
    const ring = deriveKeys([passphrase], 'session-enc', { audience: 'shop' });
    const ikm = scrypt(Buffer.from(passphrase), fields('sessionkit/v2/scrypt', 'shop'), 32);
    assert.equal(ring.current.stretched, true);
    assert.deepEqual(
      ring.current.key.export(),
      hkdfByHand(ikm, 'sessionkit/v2', fields('key', 'session-enc', 'shop'), 32),
    );
    // What HKDF alone would give (the v1 weakness: a guess costs one HKDF) is not the key.
    const unstretched = hkdfByHand(
      Buffer.from(passphrase),
      'sessionkit/v2',
      fields('key', 'session-enc', 'shop'),
      32,
    );
    assert.notDeepEqual(ring.current.key.export(), unstretched);
  });

  void it('makes the first secret current and keeps every secret, in order', () => {
    const ring = deriveKeys([secretA, secretB], 'session-enc');
    assert.equal(ring.keys.length, 2);
    assert.equal(ring.current, ring.keys[0]);
    assert.equal(ring.keys[0]!.id, deriveKeys([secretA], 'session-enc').current.id);
    assert.ok(Object.isFrozen(ring) && Object.isFrozen(ring.keys));
  });

  void it('C-07: gives each secret a 12-character (72-bit) id that does not depend on its position or purpose', () => {
    const ab = deriveKeys([secretA, secretB], 'session-enc');
    const ba = deriveKeys([secretB, secretA], 'session-enc');
    for (const key of ab.keys) assert.match(key.id, /^[A-Za-z0-9_-]{12}$/);
    assert.notEqual(ab.keys[0]!.id, ab.keys[1]!.id);
    assert.equal(ab.keys[0]!.id, ba.keys[1]!.id);
    assert.equal(ab.keys[1]!.id, ba.keys[0]!.id);
    assert.equal(deriveKeys([secretA], 'csrf').current.id, ab.keys[0]!.id);
  });

  void it('K-10: binds the audience into every key and id', () => {
    const none = deriveKeys([secretA], 'session-enc');
    const staging = deriveKeys([secretA], 'session-enc', { audience: 'shop-staging' });
    const production = deriveKeys([secretA], 'session-enc', { audience: 'shop-production' });
    const keys = [none, staging, production].map((ring) =>
      ring.current.key.export().toString('hex'),
    );
    const ids = [none, staging, production].map((ring) => ring.current.id);
    assert.equal(new Set(keys).size, 3);
    assert.equal(new Set(ids).size, 3);
  });

  void it('K-11: no purpose yields the public id, or any key of another purpose, as its key', () => {
    for (const audience of ['', 'shop']) {
      const { id } = deriveKeys([secretA], 'session-enc', { audience }).current;
      const idBytes = Buffer.from(id, 'base64url');
      // v1 derived the id under info 'key-id': purpose 'key-id' then had the id as its key.
      for (const purpose of ['key-id', 'key', '\u0000\u0006key-id', 'session-enc']) {
        const key = deriveKeys([secretA], purpose, { audience }).current.key.export();
        assert.ok(!key.subarray(0, 9).equals(idBytes), `${JSON.stringify(purpose)} in ${audience}`);
      }
    }
    const a = deriveKeys([secretA], 'session-', { audience: 'enc' }).current.key.export();
    const b = deriveKeys([secretA], 'session-enc', { audience: '' }).current.key.export();
    assert.ok(!a.equals(b), 'purpose and audience are not concatenated');
  });

  void it('accepts bytes as well as strings, random bytes as key material', () => {
    const bytes = new Uint8Array(Buffer.from(secretA, 'utf8'));
    assert.equal(deriveKeys([bytes], 'session-enc').current.id, 'zUyJMxsvZr17');
    const random = Buffer.from(secretA, 'base64url');
    assert.equal(deriveKeys([random], 'session-enc').current.stretched, false);
  });

  void it("K-02: refuses short, placeholder and low-entropy secrets ('a' × 32 among them)", () => {
    assert.equal(minSecretBytes, 32);
    for (const secret of [
      '',
      'x',
      '16charsecrethere',
      'x'.repeat(31),
      'a'.repeat(32),
      'x'.repeat(32),
      '€'.repeat(11),
      'changeme'.repeat(5),
      new Uint8Array(16),
      new Uint8Array(32),
    ]) {
      assert.equal(thrown(() => deriveKeys([secret], 'session-enc')).code, 'insecure_secret');
    }
    assert.equal(
      thrown(() => deriveKeys([secretA, 'short'], 'session-enc')).code,
      'insecure_secret',
    );
  });

  void it('K-02, K-06: says what is wrong in bytes and how to make a secret', () => {
    const error = thrown(() => deriveKeys(['16charsecrethere'], 'session-enc'));
    assert.match(error.message, /secrets\[0\]/);
    assert.match(error.message, /placeholder/);
    assert.match(error.message, /at least 32 bytes/);
    assert.match(error.message, /npx sessionkit secret/);
    assert.match(error.message, /randomBytes\(32\)/);
    const euro = thrown(() => deriveKeys([secretA, '€'.repeat(10)], 'session-enc'));
    assert.match(
      euro.message,
      /secrets\[1\] is invalid: got a secret that is 30 bytes long \(UTF-8\)/,
    );
  });

  void it('refuses an empty list of secrets', () => {
    assert.equal(thrown(() => deriveKeys([], 'session-enc')).code, 'insecure_secret');
    assert.equal(
      thrown(() => deriveKeys(undefined as unknown as string[], 'session-enc')).code,
      'insecure_secret',
    );
  });

  void it('refuses a secret that is neither a string nor bytes', () => {
    for (const secret of [null, undefined, 12345678901234, {}, ['x'.repeat(40)]]) {
      const error = thrown(() => deriveKeys([secret as string], 'session-enc'));
      assert.equal(error.code, 'invalid_option');
    }
  });

  void it('K-09: compares secrets by their bytes: the same bytes twice are refused, whatever the form', () => {
    const error = thrown(() => deriveKeys([secretA, secretB, secretA], 'session-enc'));
    assert.equal(error.code, 'invalid_option');
    assert.match(error.message, /secrets\[2\].*secrets\[0\]/);
    const bytes = Buffer.from(secretA, 'utf8');
    assert.equal(thrown(() => deriveKeys([secretA, bytes], 'session-enc')).code, 'invalid_option');
    assert.equal(deriveKeys([secretA, `${secretA}A`], 'session-enc').keys.length, 2);
  });

  void it('K-09: accepts two distinct secrets whose 48-bit v1 ids collide (0.1 refused them as the same)', () => {
    const collision = JSON.parse(
      readFileSync(new URL('../../test/fixtures/v1-id-collision.json', import.meta.url), 'utf8'),
    ) as { id: string; secrets: [string, string] };
    const ring = deriveKeys(collision.secrets, 'session-enc');
    assert.equal(ring.keys.length, 2);
    assert.notEqual(ring.keys[0]!.id, ring.keys[1]!.id, 'their 72-bit v2 ids differ');
  });

  void it('refuses an audience that is not a short printable string', () => {
    for (const audience of [3, 'a\nb', 'x'.repeat(257), '\ud800']) {
      const error = thrown(() =>
        deriveKeys([secretA], 'session-enc', { audience: audience as string }),
      );
      assert.equal(error.code, 'invalid_option');
      assert.match(error.message, /option audience is invalid/);
    }
  });

  void it('K-07: never puts a secret in an error message', () => {
    const secrets = [
      'kit16charsecret!',
      'a-31-byte-secret-that-is-short',
      'x'.repeat(20),
      'multi-byte €€€ secret',
      'q'.repeat(40),
    ];
    for (const secret of secrets) {
      const error = thrown(() => deriveKeys([secretA, secret], 'session-enc'));
      assert.ok(!error.message.includes(secret), error.message);
    }
    const duplicate = thrown(() => deriveKeys([secretA, secretA], 'session-enc'));
    assert.ok(!duplicate.message.includes(secretA));
    const number = thrown(() => deriveKeys([31415926535 as unknown as string], 'session-enc'));
    assert.ok(!number.message.includes('31415926535'));
  });

  void it('K-07: keeps derived keys out of logs (KeyObject, not bytes)', () => {
    const { key } = deriveKeys([secretA], 'session-enc').current;
    const hex = key.export().toString('hex');
    assert.ok(!JSON.stringify(key).includes(hex));
    assert.ok(!inspect(key).includes(hex));
  });
});

/** The current key `deriveKeys` gives one secret for `purpose`. */
const keyFor = (secret: string, purpose: string) => deriveKeys([secret], purpose).current.key;

void describe('deriveKeys purposes', () => {
  void it('K-04: gives unrelated keys for distinct purposes from one secret', () => {
    const session = keyFor(secretA, 'session-enc').export();
    const csrf = keyFor(secretA, 'csrf').export();
    const flash = keyFor(secretA, 'flash').export();
    assert.equal(session.length, 32);
    assert.ok(!session.equals(csrf) && !session.equals(flash) && !csrf.equals(flash));
    assert.ok(session.equals(keyFor(secretA, 'session-enc').export()), 'stable for a purpose');
  });

  void it('K-04: a CSRF MAC made with the session key does not match the CSRF key', () => {
    const token = 'a token';
    const forged = createHmac('sha256', keyFor(secretA, 'session-enc')).update(token).digest();
    const genuine = createHmac('sha256', keyFor(secretA, 'csrf')).update(token).digest();
    assert.equal(equalBytes(forged, genuine), false);
  });
});

void describe('randomSecret', () => {
  void it('makes 32 random bytes in base64url, always key material (never stretched)', () => {
    const a = randomSecret();
    const b = randomSecret();
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a, 'base64url').length, 32);
    for (let i = 0; i < 200; i++) assert.ok(isKeyMaterial(randomSecret()));
    const ring = deriveKeys([a, b], 'session-enc');
    assert.equal(ring.keys[0]!.stretched || ring.keys[1]!.stretched, false);
  });
});

void describe('equalBytes', () => {
  void it('C-15: compares in constant time and answers false, never a throw, on a length mismatch', () => {
    const mac = Buffer.alloc(32, 7);
    assert.equal(equalBytes(mac, Buffer.alloc(32, 7)), true);
    assert.equal(equalBytes(mac, Buffer.alloc(32, 8)), false);
    assert.equal(equalBytes(mac, mac.subarray(0, 16)), false);
    assert.equal(equalBytes(mac, new Uint8Array(0)), false);
    assert.equal(equalBytes(new Uint8Array(0), new Uint8Array(0)), true);
  });
});
