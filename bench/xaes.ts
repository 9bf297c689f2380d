/**
 * XAES-256-GCM (https://c2sp.org/XAES-256-GCM) through node:crypto, for the benchmark only:
 * the other candidate for format v2 (issue 16), measured beside XChaCha20-Poly1305. Per seal
 * it derives a key from the first 12 bytes of a 24-byte nonce with two AES-256 blocks (a
 * CMAC-like counter KDF, NIST SP 800-108r1), then runs AES-256-GCM with the last 12.
 * Checked against the specification's two test vectors before it is timed.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

/** `dbl` of NIST SP 800-38B: a left shift by one bit, XOR 0x87 into the last byte if one fell out. */
function double(block: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = ((block[i]! << 1) | ((block[i + 1] ?? 0) >>> 7)) & 0xff;
  if (block[0]! & 0x80) out[15]! ^= 0x87;
  return out;
}

export interface Xaes {
  /** `ciphertext ‖ tag` of `plaintext` under the 24-byte `nonce`. */
  seal(plaintext: Uint8Array, aad: Uint8Array, nonce: Uint8Array): Buffer;
  /** The plaintext, or undefined when the tag is wrong. */
  open(sealed: Uint8Array, aad: Uint8Array, nonce: Uint8Array): Buffer | undefined;
}

/** An XAES-256-GCM instance for one 32-byte key. */
export function xaes256gcm(key: Uint8Array): Xaes {
  // One long-lived ECB context: ECB has no state between blocks, so each update() is a
  // fresh pair of block encryptions without a new cipher context per seal.
  const ecb = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  const k1 = double(ecb.update(Buffer.alloc(16)));
  const blocks = Buffer.alloc(32);
  const derive = (nonce: Uint8Array): Buffer => {
    blocks.set([0, 1, 0x58, 0], 0); // 0x00 0x01 'X' 0x00 ‖ N[:12]
    blocks.set(nonce.subarray(0, 12), 4);
    blocks.set([0, 2, 0x58, 0], 16); // 0x00 0x02 'X' 0x00 ‖ N[:12]
    blocks.set(nonce.subarray(0, 12), 20);
    for (let i = 0; i < 16; i++) {
      blocks[i]! ^= k1[i]!;
      blocks[16 + i]! ^= k1[i]!;
    }
    return ecb.update(blocks);
  };
  return {
    seal(plaintext, aad, nonce) {
      const cipher = createCipheriv('aes-256-gcm', derive(nonce), nonce.subarray(12, 24), {
        authTagLength: 16,
      });
      cipher.setAAD(aad);
      const body = cipher.update(plaintext);
      cipher.final();
      return Buffer.concat([body, cipher.getAuthTag()]);
    },
    open(sealed, aad, nonce) {
      const decipher = createDecipheriv('aes-256-gcm', derive(nonce), nonce.subarray(12, 24), {
        authTagLength: 16,
      });
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      const body = decipher.update(sealed.subarray(0, sealed.length - 16));
      try {
        decipher.final();
      } catch {
        return undefined;
      }
      return body;
    },
  };
}

/** Throws unless both test vectors of the specification come out. */
export function checkXaesVectors(): void {
  const nonce = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWX');
  const plaintext = Buffer.from('XAES-256-GCM');
  const vectors = [
    { key: 0x01, aad: '', out: 'ce546ef63c9cc60765923609b33a9a1974e96e52daf2fcf7075e2271' },
    {
      key: 0x03,
      aad: 'c2sp.org/XAES-256-GCM',
      out: '986ec1832593df5443a179437fd083bf3fdb41abd740a21f71eb769d',
    },
  ];
  for (const { key, aad, out } of vectors) {
    const xaes = xaes256gcm(Buffer.alloc(32, key));
    const sealed = xaes.seal(plaintext, Buffer.from(aad), nonce);
    if (sealed.toString('hex') !== out) throw new Error(`bench: XAES-256-GCM vector ${key} failed`);
    if (!xaes.open(sealed, Buffer.from(aad), nonce)?.equals(plaintext)) {
      throw new Error(`bench: XAES-256-GCM vector ${key} does not open`);
    }
  }
}
