import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { SessionkitError } from '../core/errors.ts';
import { deriveKeys, equalBytes, fillIv, minSecretBytes, randomSecret } from './keys.ts';

const secretA = 'sessionkit test secret, 32 bytes or more';
const secretB = 'another sessionkit test secret of 40 byte';

function thrown(fn: () => unknown): SessionkitError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SessionkitError, `expected a SessionkitError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a throw');
}

void describe('deriveKeys', () => {
  void it('derives HKDF-SHA256(secret, "sessionkit/v1", purpose) (RFC 5869; checked against an independent implementation)', () => {
    const ring = deriveKeys([secretA], 'session-enc');
    assert.equal(
      ring.current.key.export().toString('hex'),
      '6849a30efe3da2109d2cbf60e3dd242f297c74afd55ca7f6ad076f04231b3b26',
    );
    assert.equal(ring.current.id, 'PQKePAEo');
  });

  void it('makes the first secret current and keeps every secret, in order', () => {
    const ring = deriveKeys([secretA, secretB], 'session-enc');
    assert.equal(ring.keys.length, 2);
    assert.equal(ring.current, ring.keys[0]);
    assert.equal(ring.keys[0]!.id, deriveKeys([secretA], 'session-enc').current.id);
    assert.ok(Object.isFrozen(ring) && Object.isFrozen(ring.keys));
  });

  void it('gives each secret an 8-character base64url id that does not depend on its position', () => {
    const ab = deriveKeys([secretA, secretB], 'session-enc');
    const ba = deriveKeys([secretB, secretA], 'session-enc');
    for (const key of ab.keys) assert.match(key.id, /^[A-Za-z0-9_-]{8}$/);
    assert.notEqual(ab.keys[0]!.id, ab.keys[1]!.id);
    assert.equal(ab.keys[0]!.id, ba.keys[1]!.id);
    assert.equal(ab.keys[1]!.id, ba.keys[0]!.id);
    assert.equal(deriveKeys([secretA], 'csrf').current.id, ab.keys[0]!.id);
  });

  void it('accepts bytes as well as strings', () => {
    const bytes = new Uint8Array(Buffer.from(secretA, 'utf8'));
    assert.equal(deriveKeys([bytes], 'session-enc').current.id, 'PQKePAEo');
  });

  void it('K-02: refuses secrets shorter than 32 bytes, counting UTF-8 bytes', () => {
    assert.equal(minSecretBytes, 32);
    for (const secret of ['', 'x', '16charsecrethere', 'x'.repeat(31), new Uint8Array(16)]) {
      assert.equal(thrown(() => deriveKeys([secret], 'session-enc')).code, 'insecure_secret');
    }
    assert.equal(
      thrown(() => deriveKeys([secretA, 'short'], 'session-enc')).code,
      'insecure_secret',
    );
    assert.equal(thrown(() => deriveKeys(['€'.repeat(10)], 'session-enc')).code, 'insecure_secret');
    assert.doesNotThrow(() => deriveKeys(['x'.repeat(32)], 'session-enc'));
    assert.doesNotThrow(() => deriveKeys(['€'.repeat(11)], 'session-enc')); // 33 bytes
  });

  void it('K-02, K-06: tells how to make a secret when one is too short', () => {
    const error = thrown(() => deriveKeys(['16charsecrethere'], 'session-enc'));
    assert.match(error.message, /secrets\[0\]/);
    assert.match(error.message, /16 bytes/);
    assert.match(error.message, /at least 32 bytes/);
    assert.match(error.message, /npx sessionkit secret/);
    assert.match(error.message, /randomBytes\(32\)/);
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

  void it('refuses the same secret twice in the list', () => {
    const error = thrown(() => deriveKeys([secretA, secretB, secretA], 'session-enc'));
    assert.equal(error.code, 'invalid_option');
    assert.match(error.message, /secrets\[2\].*secrets\[0\]/);
    const bytes = Buffer.from(secretA, 'utf8');
    assert.equal(thrown(() => deriveKeys([secretA, bytes], 'session-enc')).code, 'invalid_option');
  });

  void it('K-07: never puts a secret in an error message', () => {
    const secrets = [
      'kit16charsecret!',
      'a-31-byte-secret-that-is-short',
      'x'.repeat(20),
      'multi-byte €€€ secret',
    ];
    for (const secret of secrets) {
      const error = thrown(() => deriveKeys([secretA, secret], 'session-enc'));
      assert.ok(!error.message.includes(secret), error.message);
    }
    const duplicate = thrown(() => deriveKeys([secretA, secretA], 'session-enc'));
    assert.ok(!duplicate.message.includes(secretA));
    const number = thrown(() => deriveKeys([31415926535 as unknown as string], 'session-enc'));
    assert.ok(!number.message.includes('31415926535'));
    const short = thrown(() => deriveKeys(['kit16charsecret!'], 'csrf'));
    assert.ok(!short.message.includes('kit16charsecret!'));
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
  void it('makes 32 random bytes in base64url that deriveKeys accepts', () => {
    const a = randomSecret();
    const b = randomSecret();
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a, 'base64url').length, 32);
    assert.doesNotThrow(() => deriveKeys([a, b], 'session-enc'));
  });
});

void describe('fillIv', () => {
  void it('writes 12 bytes at the offset and nothing else', () => {
    const target = Buffer.alloc(20);
    fillIv(target, 4);
    assert.ok(target.subarray(0, 4).equals(Buffer.alloc(4)));
    assert.ok(target.subarray(16).equals(Buffer.alloc(4)));
  });

  void it('C-19: hands out 10^5 IVs with no repeat, across pool refills', () => {
    const seen = new Set<string>();
    const iv = Buffer.alloc(12);
    for (let i = 0; i < 100_000; i++) {
      fillIv(iv);
      seen.add(iv.toString('latin1'));
    }
    assert.equal(seen.size, 100_000);
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
