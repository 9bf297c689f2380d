import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionkitError } from '../core/errors.ts';
import { deriveKeys } from './keys.ts';
import { createSealer, maxSealedLength } from './seal.ts';

const k0 = 'removed secret: 32 bytes or more, certainly';
const k1 = 'sessionkit test secret, 32 bytes or more';
const k2 = 'the current secret, 32 bytes long or more';
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const sealer = createSealer({ secrets: [k1], cookieName: 'session' });
const text = '{"user":{"id":42,"name":"Zoë"},"roles":["admin"]}';

function bodyOf(sealed: string): string {
  return sealed.slice('v1.xxxxxxxx.'.length);
}

void describe('createSealer', () => {
  void it('C-01: unseal(seal(x)) is x, and two seals of x differ', () => {
    const a = sealer.seal(text);
    const b = sealer.seal(text);
    assert.notEqual(a, b);
    assert.deepEqual(sealer.unseal(a), { plaintext: text, keyIndex: 0 });
    assert.deepEqual(sealer.unseal(b), { plaintext: text, keyIndex: 0 });
    assert.deepEqual(sealer.unseal(sealer.seal('')), { plaintext: '', keyIndex: 0 });
  });

  void it('writes v1.<keyId>.<base64url(iv ‖ ciphertext ‖ tag)>', () => {
    const sealed = sealer.seal(text);
    const [version, keyId, body, ...rest] = sealed.split('.');
    assert.equal(version, 'v1');
    assert.equal(keyId, deriveKeys([k1], 'session-enc').current.id);
    assert.match(body!, /^[A-Za-z0-9_-]+$/);
    assert.equal(rest.length, 0);
    assert.equal(Buffer.from(body!, 'base64url').length, 12 + Buffer.byteLength(text) + 16);
  });

  void it('still opens a value sealed by this version of the format (AES-256-GCM, AAD with name)', () => {
    const fixed = 'v1.PQKePAEo.zuu5_P752QYzC1BYW0OELg0_StiCXWKeQUi12DwTVyf7dSsNURO3Hq1OWKJL';
    assert.deepEqual(sealer.unseal(fixed), { plaintext: '{"hello":"world"}', keyIndex: 0 });
  });

  void it('binds the cookie name: a value moved to another cookie does not open', () => {
    const other = createSealer({ secrets: [k1], cookieName: 'remember' });
    assert.equal(other.unseal(sealer.seal(text)), undefined);
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

  void it('C-02: rejects a value with any bit of the IV, ciphertext or tag flipped', () => {
    const sealed = sealer.seal(text);
    const prefix = sealed.slice(0, sealed.length - bodyOf(sealed).length);
    const bytes = Buffer.from(bodyOf(sealed), 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const copy = Buffer.from(bytes);
        copy[i]! ^= 1 << bit;
        assert.equal(sealer.unseal(prefix + copy.toString('base64url')), undefined, `${i}:${bit}`);
      }
    }
  });

  void it('C-03: rejects truncated values, bad separators and empty segments', () => {
    const sealed = sealer.seal(text);
    const [, keyId, body] = sealed.split('.') as [string, string, string];
    const cases = [
      '',
      'v1',
      'v1.',
      `v1.${keyId}`,
      `v1.${keyId}.`,
      `v1..${body}`,
      `v1.${keyId}${body}`,
      `v1${keyId}.${body}`,
      `v1.${keyId}..${body}`,
      `v1.${keyId}.${body}.`,
      `.v1.${keyId}.${body}`,
      `v1.${keyId}.${body.slice(0, 30)}`,
      `v1.${keyId}.${body.slice(0, 37)}`, // 27 bytes: one short of IV + tag
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
    const prefix = sealed.slice(0, sealed.length - body.length);
    const bytes = Buffer.from(body, 'base64url');
    // Byte length 12 + 50 + 16 = 78 = 3·26: pad to get leftover bits with another plaintext.
    const odd = sealer.seal(`${text} `);
    const oddBody = bodyOf(odd);
    assert.notEqual(oddBody.length % 4, 0);
    const last = alphabet.indexOf(oddBody.at(-1)!);
    const trailing = oddBody.slice(0, -1) + alphabet[last | 1]!;
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
      assert.equal(sealer.unseal(prefix + variant), undefined, JSON.stringify(variant));
    }
    assert.notEqual(trailing, oddBody);
    assert.ok(Buffer.from(trailing, 'base64url').equals(Buffer.from(oddBody, 'base64url')));
    assert.equal(sealer.unseal(odd.slice(0, -oddBody.length) + trailing), undefined);
  });

  void it('C-04: rejects a tag cut to 4, 8 or 12 bytes', () => {
    const sealed = sealer.seal('');
    const prefix = sealed.slice(0, sealed.length - bodyOf(sealed).length);
    const bytes = Buffer.from(bodyOf(sealed), 'base64url'); // IV ‖ tag
    const long = sealer.seal(text);
    const longPrefix = long.slice(0, long.length - bodyOf(long).length);
    const longBytes = Buffer.from(bodyOf(long), 'base64url');
    for (const tagLength of [4, 8, 12]) {
      const cut = bytes.subarray(0, 12 + tagLength).toString('base64url');
      assert.equal(sealer.unseal(prefix + cut), undefined, `${tagLength} of an empty message`);
      const cutLong = longBytes.subarray(0, longBytes.length - 16 + tagLength);
      assert.equal(sealer.unseal(longPrefix + cutLong.toString('base64url')), undefined);
    }
  });

  void it('C-05: rejects a value sealed with a key it does not know', () => {
    const other = createSealer({ secrets: [k2], cookieName: 'session' });
    assert.equal(other.unseal(sealer.seal(text)), undefined);
    // The same key id cannot help: the id names the key, the key still has to match.
    const swapped = other.seal(text).replace(/^v1\.[^.]+\./, sealer.seal('').slice(0, 12));
    assert.equal(sealer.unseal(swapped), undefined);
  });

  void it('C-06: opens values of previous secrets with their index, seals only with the current one', () => {
    const old = createSealer({ secrets: [k1], cookieName: 'session' });
    const removed = createSealer({ secrets: [k0], cookieName: 'session' });
    const rotated = createSealer({ secrets: [k2, k1], cookieName: 'session' });
    assert.deepEqual(rotated.unseal(old.seal(text)), { plaintext: text, keyIndex: 1 });
    assert.equal(rotated.unseal(removed.seal(text)), undefined);
    const currentId = deriveKeys([k2], 'session-enc').current.id;
    for (let i = 0; i < 20; i++) assert.ok(rotated.seal(text).startsWith(`v1.${currentId}.`));
    assert.deepEqual(rotated.unseal(rotated.seal(text)), { plaintext: text, keyIndex: 0 });
  });

  void it('C-07: rejects unknown, odd and very long key ids without throwing', () => {
    const body = bodyOf(sealer.seal(text));
    for (const keyId of [
      'AAAAAAAA',
      'PQKePAE!',
      'PQKe PAE',
      '../../..',
      'é'.repeat(8),
      'x'.repeat(500),
    ]) {
      assert.equal(sealer.unseal(`v1.${keyId}.${body}`), undefined, keyId);
    }
  });

  void it('C-15: answers undefined for non-strings, empty strings and tags of other lengths', () => {
    for (const value of [
      undefined,
      null,
      0,
      42,
      {},
      [],
      Buffer.from('v1.'),
      Symbol('x'),
      () => 1,
    ]) {
      assert.equal(sealer.unseal(value as string), undefined);
    }
    assert.equal(sealer.unseal(''), undefined);
    const sealed = sealer.seal(text);
    const prefix = sealed.slice(0, sealed.length - bodyOf(sealed).length);
    const bytes = Buffer.from(bodyOf(sealed), 'base64url');
    const longer = Buffer.concat([bytes, Buffer.alloc(4)]).toString('base64url');
    assert.equal(sealer.unseal(prefix + longer), undefined);
  });

  void it('C-17: rejects unknown versions, iron seals and Ring values', () => {
    const sealed = sealer.seal(text);
    const rest = sealed.slice(2);
    for (const value of [
      `v0${rest}`,
      `v2${rest}`,
      `V1${rest}`,
      `v10${rest}`,
      rest.slice(1),
      `Fe26.2**${bodyOf(sealed)}*abc*def*1234*xyz`,
      'b2xkIHJpbmcgdmFsdWU=--c2lnbmF0dXJlAAAAAAAAAAAAAAAAAAAA',
    ]) {
      assert.equal(sealer.unseal(value), undefined, value);
    }
  });

  void it('Z-03: rejects a value over 4096 characters, even an authentic one', () => {
    // 12 + 4·(12 + 3035 + 16)/3 = 4096 characters exactly.
    const fits = sealer.seal('x'.repeat(3035));
    assert.equal(fits.length, maxSealedLength);
    assert.notEqual(sealer.unseal(fits), undefined);
    const big = sealer.seal('x'.repeat(3036));
    assert.equal(big.length, maxSealedLength + 2);
    assert.equal(sealer.unseal(big), undefined);
    assert.equal(sealer.unseal(`v1.${'A'.repeat(10_000_000)}`), undefined);
  });

  void it('C-19: 10^5 seals with one key never repeat an IV', () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 100_000; i++) ivs.add(bodyOf(sealer.seal('x')).slice(0, 16));
    assert.equal(ivs.size, 100_000);
  });

  void it('never throws on garbage', () => {
    const values = ['v1.', 'v1.........', 'v1.PQKePAEo.', 'v1.PQKePAEo.====', '\u0000'.repeat(100)];
    values.push('v1.PQKePAEo.' + 'A'.repeat(38), 'v1.PQKePAEo.' + '\ud800'.repeat(60));
    for (const value of values) assert.equal(sealer.unseal(value), undefined);
  });

  void it('refuses a missing cookie name or purpose at construction', () => {
    for (const options of [
      { secrets: [k1], cookieName: '' },
      { secrets: [k1], cookieName: 3 as unknown as string },
      { secrets: [k1], cookieName: 'session', purpose: '' },
    ]) {
      assert.throws(
        () => createSealer(options),
        (error: unknown) => error instanceof SessionkitError && error.code === 'invalid_option',
      );
    }
  });
});
