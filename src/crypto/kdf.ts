import { createHash, hkdfSync, scryptSync } from 'node:crypto';

/**
 * HKDF-SHA256 (RFC 5869): extract with `salt`, expand with `info` to `length` bytes. ~10 µs;
 * run at start-up, never per request.
 */
export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}

/**
 * Fields joined without ambiguity: each is its UTF-8 length as two big-endian bytes, then
 * its bytes. Two different lists never encode to the same bytes, so an HKDF `info`, a salt
 * or associated data built from them can never be made to equal another one's by choosing
 * a purpose, an audience or a cookie name.
 */
export function fields(...parts: readonly string[]): Buffer {
  const encoded = parts.map((part) => Buffer.from(part, 'utf8'));
  const out = Buffer.allocUnsafe(encoded.reduce((sum, bytes) => sum + 2 + bytes.length, 0));
  let at = 0;
  for (const bytes of encoded) {
    if (bytes.length > 0xffff) throw new RangeError('fields: a field is over 65535 bytes');
    out.writeUInt16BE(bytes.length, at);
    out.set(bytes, at + 2);
    at += 2 + bytes.length;
  }
  return out;
}

/** scrypt's cost parameters (RFC 7914 §2). */
export interface ScryptParameters {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelisation. */
  readonly p: number;
}

/**
 * The parameters that stretch a secret that is not key material: N = 2^15, r = 8, p = 1,
 * 32 MiB of memory and ~100 ms of one core here, once per secret at start-up. Each guess at
 * such a secret then costs an attacker the same (RFC 7914 §2; OWASP Password Storage Cheat
 * Sheet's scrypt minimum is N = 2^17 for stored passwords, which are guessed one user at a
 * time; this secret guards every session, and a larger N would cost every start-up and test
 * run 4× more. Part of format v2: changing them changes every key).
 */
export const scryptParameters: ScryptParameters = Object.freeze({ N: 2 ** 15, r: 8, p: 1 });

/** scrypt (RFC 7914) through `node:crypto`, allowed up to 64 MiB (N = 2^16 at r = 8). */
export function scrypt(
  password: Uint8Array,
  salt: Uint8Array,
  length: number,
  parameters: ScryptParameters = scryptParameters,
): Buffer {
  const { N, r, p } = parameters;
  return scryptSync(password, salt, length, { N, r, p, maxmem: 64 * 1024 * 1024 + 1024 });
}

/** Stretched secrets of this process, so that several stores on one secret pay once. */
const stretched = new Map<string, Buffer>();
const stretchedLimit = 16;

/**
 * A passphrase made into 32 bytes of key material with {@link scrypt} and
 * {@link scryptParameters}, salted with the format and the audience, so that one dictionary
 * computed for one deployment does not serve another. Remembered for the life of the process
 * (at most 16 secrets; keyed by a SHA-256 of the input, never the passphrase itself), so
 * that a second store or a test that rebuilds one does not pay the ~100 ms again.
 */
export function stretch(passphrase: Uint8Array, audience: string): Buffer {
  const salt = fields('sessionkit/v2/scrypt', audience);
  const memo = createHash('sha256').update(salt).update(passphrase).digest('base64');
  const known = stretched.get(memo);
  if (known !== undefined) return known;
  const key = scrypt(passphrase, salt, 32);
  if (stretched.size >= stretchedLimit) stretched.delete(stretched.keys().next().value!);
  stretched.set(memo, key);
  return key;
}
