import { SessionkitError } from '../core/errors.ts';
import { guessableShare } from './guessable.ts';

/** A secret: a string (its UTF-8 bytes count) or raw bytes. */
export type Secret = string | Uint8Array;

/** The minimum length of a secret, in bytes (256 bits; iron, fastify-secure-session; K-02). */
export const minSecretBytes = 32;

/** How to make a good secret, quoted by every message about a bad one. */
export const howToGenerate =
  "generate one with `node -e \"console.log(require('node:crypto').randomBytes(32).toString('base64url'))\"` (or `npx sessionkit secret` in a project that installed sessionkit)";

/**
 * A secret whose letters and digits are this much words and runs is refused (K-13): the
 * issue's examples score 0.9 and more; random secrets of the base64url alphabet score under 0.3.
 */
const guessableLimit = 0.6;

/** Placeholders seen in documentation and templates (Kit's among them); never secrets. */
const knownDefaults = new Set([
  '16charsecrethere',
  'changeme',
  'change-me',
  'change_me',
  'changethis',
  'secret',
  'mysecret',
  'supersecret',
  'keyboard cat',
  'your-secret-here',
  'your_secret_here',
  'yoursecret',
  'replace-me',
  'replaceme',
  'development',
  'password',
  'complex_password_at_least_32_characters_long',
]);

/** The placeholders' letters and digits, longest first (so `supersecret` goes before `secret`). */
const placeholderWords = [...knownDefaults]
  .map((placeholder) => placeholder.replace(/[^a-z0-9]/g, ''))
  .filter((word) => word.length >= 6)
  .sort((a, b) => b.length - a.length);

/**
 * Why `secret` is unfit to protect sessions, or undefined when it is fine: a known
 * placeholder (or several glued together), shorter than `minBytes` (32) bytes of UTF-8,
 * fewer than 8 distinct characters, digits only, or a short pattern repeated (security cases
 * K-01, K-02). Ring's 16-byte keys are checked with `minBytes` 16.
 * The reason never quotes the secret (K-07).
 *
 * A secret that passes may still be a guessable passphrase: unless it is key material
 * (see {@link isKeyMaterial}) the stores stretch it with scrypt before use.
 *
 * @example
 * secretWeakness('changeme'); // 'is a well-known placeholder value'
 */
export function secretWeakness(secret: string, minBytes = minSecretBytes): string | undefined {
  const lower = secret.trim().toLowerCase();
  if (knownDefaults.has(lower) || /^<<.*>>$/.test(lower) || /^<.*>$/.test(lower)) {
    return 'is a well-known placeholder value';
  }
  // Placeholders repeated or glued together, with any separators: `changeme-changeme`.
  // Separators are spaces, punctuation and symbols; letters of any script and digits stay,
  // so a secret with no letters or digits at all (`€€€…`) is not called a placeholder.
  const bare = lower.replace(/[\s\p{P}\p{S}]/gu, '');
  let rest = bare;
  for (const word of placeholderWords) rest = rest.replaceAll(word, '');
  if (bare !== '' && rest === '') {
    return 'is a well-known placeholder value, repeated';
  }
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < minBytes) {
    return `is ${bytes} bytes long (UTF-8), shorter than the ${minBytes} bytes required`;
  }
  if (new Set(secret).size < 8) return 'has fewer than 8 distinct characters';
  if (/^\d+$/.test(secret)) return 'is made of digits only';
  if (repeats([...secret])) return 'repeats a short pattern';
  // Only for our own secrets: a Kit key is 16 random letters, which may spell a word by chance.
  if (minBytes >= minSecretBytes && guessableShare(secret) >= guessableLimit) {
    return 'is mostly common words or runs such as abcdef, 12345 or qwerty, which guessing tries first';
  }
  return undefined;
}

/** True when `items` is one run of at most 16 items, repeated. */
function repeats<T>(items: readonly T[]): boolean {
  for (let period = 1; period <= 16 && 2 * period <= items.length; period++) {
    if (items.length % period !== 0) continue;
    let same = true;
    for (let i = period; i < items.length && same; i++) same = items[i] === items[i - period];
    if (same) return true;
  }
  return false;
}

/**
 * True when `secret` is key material: a string that is the hex, base64url or base64 encoding
 * of at least 32 bytes, as `npx sessionkit secret`, `openssl rand -base64 32` and
 * `openssl rand -hex 32` print. Such a secret carries 256 bits by construction and is used
 * as it is; any other secret is stretched with scrypt (issue 16; see docs/decisions).
 *
 * Encodings are strict (canonical base64, one case of hex). A hand-made passphrase can
 * still be spelled in the base64url alphabet (`correct-horse-battery-staple-…`), so a string
 * whose characters are mostly in word-like runs (a lowercase run of 3 or more with a vowel,
 * perhaps capitalised) counts as a passphrase: fewer than 1 in 1000 random secrets look that
 * way (they are then stretched, which costs only start-up time), and the passphrases we
 * tried all do.
 */
export function isKeyMaterial(secret: string): boolean {
  if (/^(?:[0-9a-f]{2}){32,}$/.test(secret) || /^(?:[0-9A-F]{2}){32,}$/.test(secret)) return true;
  let decoded: Buffer | undefined;
  if (/^[A-Za-z0-9_-]{43,}$/.test(secret)) {
    decoded = Buffer.from(secret, 'base64url');
    if (decoded.toString('base64url') !== secret) return false;
  } else if (/^[A-Za-z0-9+/]{42,}={0,2}$/.test(secret) && secret.length % 4 === 0) {
    decoded = Buffer.from(secret, 'base64');
    if (decoded.toString('base64') !== secret) return false;
  } else {
    return false;
  }
  return decoded.length >= minSecretBytes && wordShare(secret) < 0.5;
}

/** The share of `text` in word-like runs: `[A-Z]?[a-z]{3,}` holding a vowel. */
function wordShare(text: string): number {
  let inWords = 0;
  for (const [run] of text.matchAll(/[A-Z]?[a-z]{3,}/g)) {
    if (/[aeiouy]/.test(run.slice(1))) inWords += run.length;
  }
  return inWords / text.length;
}

/** A secret once checked: its bytes, and whether they are key material or a passphrase. */
export interface CheckedSecret {
  /** The secret's bytes (UTF-8 for a string): what two secrets are compared by. */
  readonly bytes: Buffer;
  /** `'key'`: 256 bits or more by construction, used as is. `'passphrase'`: stretched with scrypt. */
  readonly kind: 'key' | 'passphrase';
}

/**
 * Checks one secret (`option` names it in messages) and says how it will be used. Throws
 * `invalid_option` when it is neither a string nor bytes, and `insecure_secret` when it is
 * weak (see {@link secretWeakness}; for bytes: fewer than 32, fewer than 8 distinct values,
 * or a short pattern repeated). Bytes that are all printable ASCII are checked as the text
 * they spell (`Buffer.from('a passphrase')` is a passphrase); other bytes are key material.
 */
export function checkSecret(secret: unknown, option: string): CheckedSecret {
  if (typeof secret === 'string') return checkText(secret, option);
  if (!(secret instanceof Uint8Array)) {
    // Only the type is named: even a wrong value may be someone's secret (K-07).
    const got = secret === null ? 'null' : Array.isArray(secret) ? 'an array' : typeof secret;
    throw new SessionkitError(
      'invalid_option',
      `sessionkit: option ${option} is invalid: got ${got}, expected a string or a Uint8Array of at least ${minSecretBytes} random bytes`,
    );
  }
  const bytes = Buffer.from(secret);
  if (bytes.every((byte) => byte >= 0x20 && byte <= 0x7e)) {
    return checkText(bytes.toString('latin1'), option);
  }
  let weakness: string | undefined;
  if (bytes.length < minSecretBytes) {
    weakness = `is ${bytes.length} bytes long, shorter than the ${minSecretBytes} bytes required`;
  } else if (new Set(bytes).size < 8) weakness = 'has fewer than 8 distinct byte values';
  else if (repeats([...bytes])) weakness = 'repeats a short pattern';
  if (weakness !== undefined) throw weak(option, weakness);
  return Object.freeze({ bytes, kind: 'key' as const });
}

function checkText(secret: string, option: string): CheckedSecret {
  const weakness = secretWeakness(secret);
  if (weakness !== undefined) throw weak(option, weakness);
  return Object.freeze({
    bytes: Buffer.from(secret, 'utf8'),
    kind: isKeyMaterial(secret) ? ('key' as const) : ('passphrase' as const),
  });
}

function weak(option: string, weakness: string): SessionkitError {
  return new SessionkitError(
    'insecure_secret',
    `sessionkit: option ${option} is invalid: got a secret that ${weakness}, expected at least ${minSecretBytes} bytes of random data (a 16-character Kit/Ring COOKIE_SECRET is too short); ${howToGenerate}`,
  );
}
