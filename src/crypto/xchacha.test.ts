import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hchacha20, loadSodiumProvider, nodeProvider, resolveProvider } from './xchacha.ts';
import { freshNonce, osRandom } from './random.ts';
import type { AeadProvider } from './xchacha.ts';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** draft-irtf-cfrg-xchacha-03 §2.2.1. */
const hchachaVector = {
  key: hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'),
  input: hex('000000090000004a0000000031415927'),
  subkey: '82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc',
};

/** draft-irtf-cfrg-xchacha-03 §A.3.1 (the AEAD_XChaCha20_Poly1305 example). */
const aeadVector = {
  plaintext: Buffer.from(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  ),
  aad: hex('50515253c0c1c2c3c4c5c6c7'),
  key: hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f'),
  nonce: hex('404142434445464748494a4b4c4d4e4f5051525354555657'),
  ciphertext: `bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb
    731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452
    2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9
    21f9664c97637da9768812f615c68b13b52e`.replace(/\s+/g, ''),
  tag: 'c0875924c1c7987947deafd8780acf49',
};

const sodium = loadSodiumProvider();
const providers: AeadProvider[] = [nodeProvider, ...(sodium === undefined ? [] : [sodium])];

void describe('hchacha20', () => {
  void it('gives the subkey of draft-irtf-cfrg-xchacha-03 §2.2.1', () => {
    const out = Buffer.alloc(40, 0xee);
    hchacha20(hchachaVector.key, hchachaVector.input, out, 4);
    assert.equal(out.subarray(4, 36).toString('hex'), hchachaVector.subkey);
    assert.equal(out.subarray(0, 4).toString('hex'), 'eeeeeeee', 'writes nothing before offset');
    assert.equal(out.subarray(36).toString('hex'), 'eeeeeeee', 'writes nothing after 32 bytes');
  });
});

void describe('XChaCha20-Poly1305 providers', () => {
  void it('sodium-native, a dev dependency, loads here (so the property test compares two providers)', () => {
    assert.equal(sodium?.name, 'sodium-native');
    assert.equal(resolveProvider('auto'), sodium);
    assert.equal(resolveProvider('node:crypto'), nodeProvider);
  });

  for (const provider of providers) {
    void it(`${provider.name}: seals the example of draft-irtf-cfrg-xchacha-03 §A.3.1`, () => {
      const { plaintext, aad, key, nonce } = aeadVector;
      const out = Buffer.alloc(plaintext.length + 16);
      provider.seal(out, plaintext, aad, nonce, key);
      assert.equal(out.subarray(0, plaintext.length).toString('hex'), aeadVector.ciphertext);
      assert.equal(out.subarray(plaintext.length).toString('hex'), aeadVector.tag);
    });

    void it(`${provider.name}: opens it, and refuses it with any bit of it, the nonce or the AAD changed`, () => {
      const { plaintext, aad, key, nonce } = aeadVector;
      const sealed = hex(aeadVector.ciphertext + aeadVector.tag);
      assert.deepEqual(provider.open(sealed, aad, nonce, key), plaintext);
      for (const [what, bytes] of [
        ['sealed', sealed],
        ['nonce', nonce],
        ['aad', aad],
      ] as const) {
        for (let i = 0; i < bytes.length; i += 7) {
          const changed = Buffer.from(bytes);
          changed[i]! ^= 1 << (i % 8);
          const args =
            what === 'sealed'
              ? ([changed, aad, nonce] as const)
              : what === 'nonce'
                ? ([sealed, aad, changed] as const)
                : ([sealed, changed, nonce] as const);
          assert.equal(provider.open(...args, key), undefined, `${what} byte ${i}`);
        }
      }
      const otherKey = Buffer.from(key);
      otherKey[31]! ^= 0x80;
      assert.equal(provider.open(sealed, aad, nonce, otherKey), undefined, 'another key');
    });

    void it(`${provider.name}: gives fresh random bytes on every call`, () => {
      const seen = new Set<string>();
      const nonce = Buffer.alloc(24);
      for (let i = 0; i < 1000; i++) {
        provider.random(nonce);
        seen.add(nonce.toString('hex'));
      }
      assert.equal(seen.size, 1000);
    });
  }
});

void describe('osRandom and freshNonce', () => {
  void it('fills the whole target, differently each time', () => {
    const a = Buffer.alloc(24);
    const b = Buffer.alloc(24);
    osRandom(a);
    osRandom(b);
    assert.notDeepEqual(a, b);
    assert.notDeepEqual(a, Buffer.alloc(24));
    assert.notEqual(a.subarray(16).toString('hex'), '0000000000000000');
  });

  void it('C-19: freshNonce gives 10^4 distinct nonces, all bytes used', () => {
    const seen = new Set<string>();
    const union = Buffer.alloc(24);
    const nonce = Buffer.alloc(24);
    for (let i = 0; i < 10_000; i++) {
      freshNonce(nonce);
      seen.add(nonce.toString('hex'));
      for (let j = 0; j < 24; j++) union[j]! |= nonce[j]!;
    }
    assert.equal(seen.size, 10_000);
    assert.deepEqual(union, Buffer.alloc(24, 0xff));
  });
});
