/**
 * Format v1's sealing side, as sessionkit 0.1 shipped it (commit ede317d): the library no
 * longer seals v1, but tests need fresh v1 values (under several secrets, cookie names) and
 * the benchmark measures v1 against v2. Keys: `HKDF-SHA256(secret, 'sessionkit/v1',
 * purpose)`, id = 6 bytes under `'key-id'`; AES-256-GCM with a 96-bit IV from a 4 KiB
 * `randomBytes` pool, as 0.1 did (the pool is what issue 16 point 2 removed).
 */
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  hkdfSync,
  randomBytes,
} from 'node:crypto';

let pool = randomBytes(4096);
let poolOffset = 0;

function fillIv(target: Buffer): void {
  if (poolOffset + 12 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  pool.copy(target, 0, poolOffset, poolOffset + 12);
  poolOffset += 12;
}

/** A v1 sealer for `secret` and `cookieName`: `seal(plaintext)` gives `v1.<id>.<body>`. */
export function v1Sealer(
  secret: string | Uint8Array,
  cookieName: string,
  purpose = 'session-enc',
): { seal(plaintext: string): string; id: string } {
  const ikm = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  const id = Buffer.from(hkdfSync('sha256', ikm, 'sessionkit/v1', 'key-id', 6)).toString(
    'base64url',
  );
  const key = createSecretKey(Buffer.from(hkdfSync('sha256', ikm, 'sessionkit/v1', purpose, 32)));
  const aad = Buffer.from(`sessionkit/v1\0${id}\0${cookieName}`, 'utf8');
  const prefix = `v1.${id}.`;
  return {
    id,
    seal(plaintext) {
      const iv = Buffer.allocUnsafe(12);
      fillIv(iv);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
      cipher.setAAD(aad);
      const ciphertext = cipher.update(plaintext, 'utf8');
      cipher.final();
      return prefix + Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64url');
    },
  };
}

/**
 * Format v1's opening side as sessionkit 0.1 shipped it (a `KeyObject` key, the same checks),
 * for the benchmark's v1 row; the library's own v1 reader is `src/crypto/seal-v1.ts`.
 */
export function v1Opener(
  secret: string | Uint8Array,
  cookieName: string,
  purpose = 'session-enc',
): (sealed: string) => string | undefined {
  const ikm = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  const id = Buffer.from(hkdfSync('sha256', ikm, 'sessionkit/v1', 'key-id', 6)).toString(
    'base64url',
  );
  const key = createSecretKey(Buffer.from(hkdfSync('sha256', ikm, 'sessionkit/v1', purpose, 32)));
  const aad = Buffer.from(`sessionkit/v1\0${id}\0${cookieName}`, 'utf8');
  const prefix = `v1.${id}.`;
  return (sealed) => {
    if (sealed.length > 4096 || !sealed.startsWith(prefix)) return undefined;
    const body = sealed.slice(prefix.length);
    const bytes = Buffer.from(body, 'base64url');
    if (bytes.length < 28 || bytes.toString('base64url') !== body) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12), {
      authTagLength: 16,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const plaintext = decipher.update(bytes.subarray(12, bytes.length - 16));
    try {
      decipher.final();
    } catch {
      return undefined;
    }
    return plaintext.toString('utf8');
  };
}
