import { createSecretKey, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SessionkitError } from '../core/errors.ts';

/** A human secret: a UTF-8 string or raw bytes. */
export type Secret = string | Uint8Array;

/** One key of a {@link Keyring}: a 256-bit key derived for one purpose, and its public id. */
export interface DerivedKey {
  /** 8 base64url characters derived from the secret; the same whatever the secret's position. */
  readonly id: string;
  /** The 32-byte key, as a `KeyObject` so that it never prints in a log. */
  readonly key: KeyObject;
}

/** The keys derived from a list of secrets for one purpose. The first one seals; all open. */
export interface Keyring {
  /** The key of the first secret: the only one that ever seals or signs (security case C-06). */
  readonly current: DerivedKey;
  /** Every key, the current one first, in the order of the secrets. */
  readonly keys: readonly DerivedKey[];
}

/** The minimum length of a secret, in bytes (256 bits; iron, fastify-secure-session; K-02). */
export const minSecretBytes = 32;

/** The HKDF salt, which also versions every derived key (RFC 5869 §3.1). */
const salt = 'sessionkit/v1';

const howToGenerate =
  "generate one with `npx sessionkit secret` or `node -e \"console.log(require('node:crypto').randomBytes(32).toString('base64url'))\"`";

/**
 * Derives one key per secret for `purpose`, once at start-up (HKDF costs ~10 µs; never run it
 * per request). The first secret is the current one; the others are previous secrets kept so
 * that values sealed with them still open during a rotation.
 *
 * Each key is `HKDF-SHA256(ikm = secret, salt = 'sessionkit/v1', info = purpose)` (RFC 5869;
 * NIST SP 800-108 key separation): a distinct `purpose` (`'session-enc'`, `'csrf'`, …) gives
 * an unrelated key from the same secret (security case K-04).
 *
 * Throws `insecure_secret` when the list is empty or a secret is shorter than
 * {@link minSecretBytes} bytes, `invalid_option` when an entry is not a string or bytes or two
 * entries are the same secret. Messages never contain a secret (K-07, OWASP ASVS 13.3).
 *
 * @example
 * const sessionKeys = deriveKeys([process.env.COOKIE_SECRET!, process.env.OLD_SECRET!], 'session-enc');
 */
export function deriveKeys(secrets: readonly Secret[], purpose: string): Keyring {
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new SessionkitError(
      'insecure_secret',
      `sessionkit: option secrets is invalid: got ${Array.isArray(secrets) ? 'an empty list' : 'no list'}, expected a list of at least one secret of ${minSecretBytes} or more random bytes; ${howToGenerate}`,
    );
  }
  const keys: DerivedKey[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < secrets.length; i++) {
    const ikm = secretBytes(secrets[i], `secrets[${i}]`);
    const id = keyId(ikm);
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw new SessionkitError(
        'invalid_option',
        `sessionkit: option secrets[${i}] is invalid: got the same secret as secrets[${earlier}], expected each secret once`,
      );
    }
    seen.set(id, i);
    keys.push(Object.freeze({ id, key: expand(ikm, purpose) }));
  }
  const [current] = keys as [DerivedKey, ...DerivedKey[]];
  return Object.freeze({ current, keys: Object.freeze(keys) });
}

/**
 * A new secret: 32 bytes from `crypto.randomBytes`, base64url (43 characters). What
 * `npx sessionkit secret` prints. Never `Math.random` (OWASP ASVS 11.5.1).
 */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The length of a GCM IV, in bytes: 96 bits, the size GCM is designed for (NIST SP 800-38D §8.2). */
export const ivBytes = 12;

const poolBytes = 4096;
let pool = randomBytes(poolBytes);
let poolOffset = 0;

/**
 * Copies a fresh 96-bit random IV into `target` at `offset`. The bytes come from a 4 KiB
 * `crypto.randomBytes` pool, refilled (a new buffer, never rewritten in place) when used up:
 * still CSPRNG output, each byte handed out once, ~20× cheaper than `randomBytes(12)` per
 * call. With random IVs one key may seal at most 2^32 values (NIST SP 800-38D §8.3): rotate
 * the secret long before that.
 */
export function fillIv(target: Uint8Array, offset = 0): void {
  if (poolOffset + ivBytes > poolBytes) {
    pool = randomBytes(poolBytes);
    poolOffset = 0;
  }
  pool.copy(target, offset, poolOffset, poolOffset + ivBytes);
  poolOffset += ivBytes;
}

/** The secret as bytes, checked: a string counts its UTF-8 bytes. */
function secretBytes(secret: unknown, option: string): Buffer {
  let bytes: Buffer;
  if (typeof secret === 'string') bytes = Buffer.from(secret, 'utf8');
  else if (secret instanceof Uint8Array) bytes = Buffer.from(secret);
  else {
    // Only the type is named: even a wrong value may be someone's secret (K-07).
    const got = secret === null ? 'null' : Array.isArray(secret) ? 'an array' : typeof secret;
    throw new SessionkitError(
      'invalid_option',
      `sessionkit: option ${option} is invalid: got ${got}, expected a string or a Uint8Array of at least ${minSecretBytes} random bytes`,
    );
  }
  if (bytes.length < minSecretBytes) {
    throw new SessionkitError(
      'insecure_secret',
      `sessionkit: option ${option} is invalid: got a secret of ${bytes.length} bytes, expected at least ${minSecretBytes} bytes of random data (a 16-character Kit/Ring COOKIE_SECRET is too short); ${howToGenerate}`,
    );
  }
  return bytes;
}

function expand(ikm: Buffer, info: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', ikm, salt, info, 32)));
}

/**
 * The public id of a secret: 48 bits of HKDF output under its own `info`, base64url. HKDF
 * outputs under distinct `info` are independent (RFC 5869 §3.2), so the id reveals nothing
 * about the keys.
 */
function keyId(ikm: Buffer): string {
  return Buffer.from(hkdfSync('sha256', ikm, salt, 'key-id', 6)).toString('base64url');
}

/** Compares two byte strings in constant time; false, never a throw, on a length mismatch (C-15). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
