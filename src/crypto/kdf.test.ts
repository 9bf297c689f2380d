import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fields, hkdf, scrypt, scryptParameters, stretch } from './kdf.ts';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const range = (from: number, to: number) =>
  Buffer.from(Array.from({ length: to - from + 1 }, (_, i) => from + i));

void describe('hkdf (RFC 5869 appendix A, SHA-256)', () => {
  void it('A.1: basic test case', () => {
    const okm = hkdf(hex('0b'.repeat(22)), range(0x00, 0x0c), range(0xf0, 0xf9), 42);
    assert.equal(
      okm.toString('hex'),
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });

  void it('A.2: longer inputs and outputs', () => {
    const okm = hkdf(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82);
    assert.equal(
      okm.toString('hex'),
      'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c' +
        '59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71' +
        'cc30c58179ec3e87c14c01d5c1f3434f1d87',
    );
  });

  void it('A.3: zero-length salt and info', () => {
    const okm = hkdf(hex('0b'.repeat(22)), Buffer.alloc(0), Buffer.alloc(0), 42);
    assert.equal(
      okm.toString('hex'),
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    );
  });
});

void describe('scrypt (RFC 7914 §12)', () => {
  void it('P = "", S = "", N = 16, r = 1, p = 1', () => {
    const dk = scrypt(Buffer.alloc(0), Buffer.alloc(0), 64, { N: 16, r: 1, p: 1 });
    assert.equal(
      dk.toString('hex'),
      '77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442' +
        'fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906',
    );
  });

  void it('P = "password", S = "NaCl", N = 1024, r = 8, p = 16', () => {
    const dk = scrypt(Buffer.from('password'), Buffer.from('NaCl'), 64, { N: 1024, r: 8, p: 16 });
    assert.equal(
      dk.toString('hex'),
      'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162' +
        '2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
    );
  });

  void it('P = "pleaseletmein", S = "SodiumChloride", N = 16384, r = 8, p = 1', () => {
    const dk = scrypt(Buffer.from('pleaseletmein'), Buffer.from('SodiumChloride'), 64, {
      N: 16384,
      r: 8,
      p: 1,
    });
    assert.equal(
      dk.toString('hex'),
      '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2' +
        'd5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887',
    );
  });
});

void describe('fields', () => {
  void it('length-prefixes each part with two big-endian bytes', () => {
    assert.equal(fields('ab', '', 'é').toString('hex'), '0002616200000002c3a9');
  });

  void it('never gives two lists the same bytes, however the parts are cut', () => {
    const lists = [
      ['key', 'session-enc', ''],
      ['key', 'session-', 'enc'],
      ['key-id', ''],
      ['key', '-id'],
      ['key', 'key-id', ''],
      ['keykey-id'],
      ['key', 'session-enc'],
      ['key', 'session-enc', '', ''],
    ];
    const encoded = new Set(lists.map((list) => fields(...list).toString('hex')));
    assert.equal(encoded.size, lists.length);
  });
});

void describe('stretch', () => {
  void it('is scrypt with the recorded parameters, salted with the format and the audience, paid once', () => {
    assert.deepEqual({ ...scryptParameters }, { N: 2 ** 15, r: 8, p: 1 });
    const passphrase = Buffer.from('correct horse battery staple 2024, stretched');
    const expected = scrypt(passphrase, fields('sessionkit/v2/scrypt', 'shop'), 32);
    const first = stretch(passphrase, 'shop');
    assert.deepEqual(first, expected);
    // Remembered: a second store on the same secret and audience does not run scrypt again.
    assert.equal(stretch(Buffer.from(passphrase), 'shop'), first, 'the same Buffer');
    assert.notDeepEqual(stretch(passphrase, 'blog'), expected);
  });
});
