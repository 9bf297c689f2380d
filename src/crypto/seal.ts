import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { invalidOption } from '../core/errors.ts';
import { MAX_COOKIE_BYTES } from '../core/limits.ts';
import { deriveKeys, fillIv, ivBytes } from './keys.ts';
import type { Secret } from './keys.ts';

/** Options of {@link createSealer}. */
export interface SealerOptions {
  /** The secrets, current first; every one opens, only the first seals (security case C-06). */
  secrets: readonly Secret[];
  /** The cookie the values travel in; bound as associated data, so a value moved to another cookie does not open. */
  cookieName: string;
  /**
   * The HKDF `info` of the encryption keys (security case K-04).
   * @default 'session-enc'
   */
  purpose?: string | undefined;
}

/** What {@link Sealer.unseal} gives back for an authentic value. */
export interface Unsealed {
  plaintext: string;
  /** The position of the secret that opened it: 0 is the current secret, more is a previous one. */
  keyIndex: number;
}

/** Seals and opens strings with the keys derived once from a list of secrets. */
export interface Sealer {
  /** Encrypts and authenticates `plaintext`, always with the current secret. */
  seal(plaintext: string): string;
  /** The plaintext of a value this sealer (or one with the same secret and cookie name) sealed, else undefined. Never throws. */
  unseal(sealed: string): Unsealed | undefined;
}

/** The format version, the first segment of every value (security case C-17). */
const version = 'v1.';
/** `v1.` + 8-character key id + `.`: the body starts here. */
const bodyStart = version.length + 8 + 1;
const tagBytes = 16;
/** Values longer than this are refused before any decoding (security case Z-03): a cookie holds no more. */
export const maxSealedLength = MAX_COOKIE_BYTES;

interface Entry {
  key: KeyObject;
  /** `'sessionkit/v1' ‖ 0x00 ‖ keyId ‖ 0x00 ‖ cookieName`, computed once. */
  aad: Buffer;
  index: number;
}

/**
 * Creates a sealer: AES-256-GCM (NIST SP 800-38D) through `node:crypto`, a random 96-bit IV
 * per seal, a 16-byte tag, and associated data that binds the format version, the key id and
 * the cookie name. Keys are derived once, here (see {@link deriveKeys}).
 *
 * A sealed value is `v1.<keyId>.<base64url(iv ‖ ciphertext ‖ tag)>`: the version, the 8-char
 * id of the secret that sealed it, and the canonical unpadded base64url (RFC 4648 §5) of
 * 12 + n + 16 bytes, n being the UTF-8 length of the plaintext. Plaintexts are UTF-8: a lone
 * surrogate in a string becomes U+FFFD (JSON text never has one).
 *
 * @example
 * const sealer = createSealer({ secrets: [process.env.COOKIE_SECRET!], cookieName: 'session' });
 * const value = sealer.seal('{"user":1}');
 * sealer.unseal(value); // { plaintext: '{"user":1}', keyIndex: 0 }
 */
export function createSealer(options: SealerOptions): Sealer {
  return new AesGcmSealer(options);
}

class AesGcmSealer implements Sealer {
  readonly #current: Entry;
  /** `v1.<current key id>.` */
  readonly #prefix: string;
  readonly #byId = new Map<string, Entry>();

  constructor(options: SealerOptions) {
    const { secrets, cookieName, purpose = 'session-enc' } = options;
    if (typeof cookieName !== 'string' || cookieName === '') {
      throw invalidOption('createSealer', 'cookieName', cookieName, 'a non-empty string');
    }
    if (typeof purpose !== 'string' || purpose === '') {
      throw invalidOption('createSealer', 'purpose', purpose, 'a non-empty string');
    }
    const ring = deriveKeys(secrets, purpose);
    ring.keys.forEach(({ id, key }, index) => {
      const aad = Buffer.from(`sessionkit/v1\0${id}\0${cookieName}`, 'utf8');
      this.#byId.set(id, { key, aad, index });
    });
    this.#current = this.#byId.get(ring.current.id)!;
    this.#prefix = `${version}${ring.current.id}.`;
  }

  seal(plaintext: string): string {
    const { key, aad } = this.#current;
    const iv = Buffer.allocUnsafe(ivBytes);
    fillIv(iv);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
    cipher.setAAD(aad);
    const ciphertext = cipher.update(plaintext, 'utf8');
    cipher.final();
    const out = Buffer.concat([iv, ciphertext, cipher.getAuthTag()]);
    return this.#prefix + out.toString('base64url');
  }

  unseal(sealed: string): Unsealed | undefined {
    // Z-03: a length cap before any decoding. C-15: a non-string is simply invalid.
    if (typeof sealed !== 'string' || sealed.length > maxSealedLength) return undefined;
    // C-17: the version; also rejects Ring's `base64--base64` and iron's `Fe26.2*…`.
    if (!sealed.startsWith(version) || sealed.charCodeAt(bodyStart - 1) !== 0x2e) return undefined;
    // C-07: an unknown or garbage key id is a Map miss, never a throw.
    const entry = this.#byId.get(sealed.slice(version.length, bodyStart - 1));
    if (entry === undefined) return undefined;
    const body = sealed.slice(bodyStart);
    const bytes = Buffer.from(body, 'base64url');
    // C-04: a tag shorter than 16 bytes is refused here, before decryption.
    if (bytes.length < ivBytes + tagBytes) return undefined;
    // C-03: Buffer.from skips characters outside the alphabet and accepts `+/=`; the encoder
    // only ever writes the canonical form, so equality also proves the alphabet and the
    // zero trailing bits (RFC 4648 §3.5).
    if (bytes.toString('base64url') !== body) return undefined;
    const tagStart = bytes.length - tagBytes;
    const decipher = createDecipheriv('aes-256-gcm', entry.key, bytes.subarray(0, ivBytes), {
      authTagLength: tagBytes,
    });
    decipher.setAAD(entry.aad);
    decipher.setAuthTag(bytes.subarray(tagStart));
    const plaintext = decipher.update(bytes.subarray(ivBytes, tagStart));
    try {
      decipher.final(); // C-02, C-05: a wrong tag, key, key id, cookie name or byte throws here.
    } catch {
      return undefined;
    }
    return { plaintext: plaintext.toString('utf8'), keyIndex: entry.index };
  }
}
