// Ring's cookie-store seal (ring.middleware.session.cookie), byte for byte: AES-128-CBC with
// PKCS#7 padding and a random IV, then HMAC-SHA256 over IV ‖ ciphertext, one 16-byte key for
// both; `base64(iv ‖ ciphertext)--base64(mac)` in padded standard base64 (on the wire,
// wrapSession's key encoding writes it as Ring's wrap-cookies does). Opening mirrors Ring 1.15's read-session,
// except that every failure, including those Ring answers with a 500, is "no session".
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { SessionkitError } from '../../core/errors.ts';

/** Ring's key length: the same 16 bytes key AES-128 and HMAC-SHA256. */
export const ringKeyBytes = 16;

/** The 16 key bytes of `key` (a string is UTF-8, as Kit's `(.getBytes cookie-secret)`); throws otherwise. */
export function ringKey(key: unknown, what: string, option = 'key'): Buffer {
  const bytes =
    typeof key === 'string'
      ? Buffer.from(key, 'utf8')
      : key instanceof Uint8Array
        ? Buffer.from(key)
        : undefined;
  if (bytes === undefined || bytes.length !== ringKeyBytes) {
    // The length only, never the key (security case K-07).
    throw new SessionkitError(
      'invalid_option',
      `${what}: option ${option} is invalid: got ${bytes === undefined ? (key === null ? 'null' : typeof key) : `${bytes.length} bytes`}, expected exactly 16 bytes, Ring's cookie-store key (Kit's COOKIE_SECRET as UTF-8)`,
    );
  }
  return bytes;
}

/**
 * Seals `plaintext` (UTF-8) as Ring does and returns the cookie value before form-encoding.
 * `iv` is for tests that pin it; it is otherwise 16 random bytes.
 */
export function sealRing(key: Buffer, plaintext: string, iv: Uint8Array = randomBytes(16)): string {
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  const blob = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]);
  const mac = createHmac('sha256', key).update(blob).digest('base64');
  return `${blob.toString('base64')}--${mac}`;
}

/**
 * Java's basic Base64 decoder: standard alphabet only; `=` padding optional, but when present
 * it must be complete; a lone last character is an error.
 */
function decodeBase64(s: string): Buffer | undefined {
  const m = /^[A-Za-z0-9+/]*(={0,2})$/.exec(s);
  if (m === null) return undefined;
  const pad = m[1]!.length;
  const body = s.length - pad;
  if (body % 4 === 1 || (pad > 0 && s.length % 4 !== 0)) return undefined;
  return Buffer.from(s, 'base64');
}

/**
 * Why a Ring value does not open (for `sessionkit open`; a request learns nothing): `malformed`
 * (not `base64--base64`, or a MAC of the wrong length), `tampered` (the MAC does not match:
 * changed, or sealed under another key), `bad-padding` (a valid MAC over a body that does not
 * decrypt: made with the key, but not by Ring).
 */
export type RingFailure = 'malformed' | 'tampered' | 'bad-padding';

/**
 * The plaintext of a Ring cookie value (already form-decoded), or undefined. The MAC is
 * checked, in constant time, before anything is decrypted (security cases C-15, C-18): the
 * failures that follow (bad padding, bad length) are reachable only with the key, and all
 * failures return the same undefined.
 */
export function unsealRing(key: Buffer, value: string): string | undefined {
  const opened = openRing(key, value);
  return opened.ok ? opened.plaintext : undefined;
}

/** {@link unsealRing}, saying why a value does not open. */
export function openRing(
  key: Buffer,
  value: string,
): { ok: true; plaintext: string } | { ok: false; reason: RingFailure } {
  // Java's String.split("--"): trailing empty parts dropped, parts after the second ignored.
  const parts = value.split('--');
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  const data = parts[0]!;
  const mac = parts[1];
  if (mac === undefined || mac.length !== 44) return { ok: false, reason: 'malformed' };
  const blob = decodeBase64(data);
  if (blob === undefined) return { ok: false, reason: 'malformed' };
  const expected = createHmac('sha256', key).update(blob).digest('base64');
  // The MAC compares as text, as Ring's does: only the canonical padded form matches.
  if (!timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(mac, 'latin1'))) {
    return { ok: false, reason: 'tampered' };
  }
  if (blob.length < 32 || blob.length % 16 !== 0) return { ok: false, reason: 'bad-padding' };
  try {
    const decipher = createDecipheriv('aes-128-cbc', key, blob.subarray(0, 16));
    const plain = Buffer.concat([decipher.update(blob.subarray(16)), decipher.final()]);
    return { ok: true, plaintext: plain.toString('utf8') };
  } catch {
    return { ok: false, reason: 'bad-padding' }; // only the key holder can make one
  }
}

/**
 * `java.net.URLEncoder` in UTF-8, as Ring's wrap-cookies writes a value: `A-Z a-z 0-9 . - * _`
 * kept, a space as `+`, everything else `%XX` (upper case). The reference the tests hold
 * `wrapSession` to: for a seal (base64 and `-`) its key encoding gives the same bytes.
 */
export function formEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * Form-decoding as Ring's cookie parser does it: `+` is a space, `%XX` UTF-8. A malformed
 * escape drops the cookie (undefined).
 */
export function formDecode(value: string): string | undefined {
  if (value.indexOf('%') === -1 && value.indexOf('+') === -1) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
