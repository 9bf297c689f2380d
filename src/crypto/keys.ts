import { createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SessionkitError, invalidOption } from '../core/errors.ts';
import { fields, hkdf, stretch } from './kdf.ts';
import { checkSecret, howToGenerate, isKeyMaterial, minSecretBytes } from './secret.ts';
import type { CheckedSecret, Secret } from './secret.ts';

export { minSecretBytes } from './secret.ts';
export type { Secret } from './secret.ts';

/** One key of a {@link Keyring}: a 256-bit key derived for one purpose, and its public id. */
export interface DerivedKey {
  /** 12 base64url characters (72 bits) naming the secret and audience; the same whatever the secret's position. */
  readonly id: string;
  /** The 32-byte key, as a `KeyObject` so that it never prints in a log. */
  readonly key: KeyObject;
  /** Whether the secret was stretched with scrypt (it was not key material). */
  readonly stretched: boolean;
}

/** The keys derived from a list of secrets for one purpose. The first one seals; all open. */
export interface Keyring {
  /** The key of the first secret: the only one that ever seals or signs (security case C-06). */
  readonly current: DerivedKey;
  /** Every key, the current one first, in the order of the secrets. */
  readonly keys: readonly DerivedKey[];
}

/** Options of {@link deriveKeys}. */
export interface DeriveKeysOptions {
  /**
   * The deployment the keys belong to (`SESSION_AUDIENCE`): bound into every key and id, so
   * one secret used by two audiences gives two unrelated sets of keys.
   * @default '' (none)
   */
  audience?: string | undefined;
}

/** The HKDF salt of format v2, which also versions every derived key (RFC 5869 §3.1). */
const salt = Buffer.from('sessionkit/v2', 'utf8');

/** The longest audience, in characters; it travels in no cookie, but is hashed on every start. */
export const maxAudienceLength = 256;

/**
 * Derives one key per secret for `purpose`, once at start-up. The first secret is the
 * current one; the others are previous secrets kept so that values sealed with them still
 * open during a rotation.
 *
 * Per secret: `ikm` is the secret's bytes when it is key material, else
 * `scrypt(secret, salt = fields('sessionkit/v2/scrypt', audience))` (~100 ms, see
 * `scryptParameters`). Then `key = HKDF-SHA256(ikm, salt = 'sessionkit/v2',
 * info = fields('key', purpose, audience))` (RFC 5869; NIST SP 800-108 key separation, K-04)
 * and `id = HKDF-SHA256(ikm, 'sessionkit/v2', fields('key-id', audience))`, 9 bytes.
 * `fields` length-prefixes each part, so no purpose can reproduce the id's `info`: a key is
 * never a public value.
 *
 * Throws `insecure_secret` when the list is empty or a secret is weak, `invalid_option`
 * when an entry is not a string or bytes or two entries are the same bytes. Messages never
 * contain a secret (K-07, OWASP ASVS 13.3).
 *
 * @example
 * const sessionKeys = deriveKeys([process.env.COOKIE_SECRET!], 'session-enc', { audience: 'shop-production' });
 */
export function deriveKeys(
  secrets: readonly Secret[],
  purpose: string,
  options: DeriveKeysOptions = {},
): Keyring {
  return deriveKeysFrom(
    checkSecrets(secrets),
    purpose,
    checkAudience(options.audience, 'deriveKeys'),
  );
}

/**
 * Checks a list of secrets (see `checkSecret`): at least one, each fit, no two with the same
 * bytes. Throws as {@link deriveKeys} does.
 */
export function checkSecrets(secrets: readonly Secret[]): CheckedSecret[] {
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new SessionkitError(
      'insecure_secret',
      `sessionkit: option secrets is invalid: got ${Array.isArray(secrets) ? 'an empty list' : 'no list'}, expected a list of at least one secret of ${minSecretBytes} or more random bytes; ${howToGenerate}`,
    );
  }
  const checked: CheckedSecret[] = [];
  for (let i = 0; i < secrets.length; i++) {
    const secret = checkSecret(secrets[i], `secrets[${i}]`);
    // Compared by their bytes: distinct secrets never collide, whatever their ids.
    const earlier = checked.findIndex((other) => equalBytes(other.bytes, secret.bytes));
    if (earlier !== -1) {
      throw new SessionkitError(
        'invalid_option',
        `sessionkit: option secrets[${i}] is invalid: got the same secret as secrets[${earlier}], expected each secret once`,
      );
    }
    checked.push(secret);
  }
  return checked;
}

/** The audience option, checked: a string of printable characters, at most 256 long. */
export function checkAudience(audience: unknown, what: string): string {
  if (audience === undefined) return '';
  if (
    typeof audience !== 'string' ||
    audience.length > maxAudienceLength ||
    // Control characters and lone surrogates would not survive an environment variable.
    /[\p{Cc}\p{Cs}]/u.test(audience)
  ) {
    throw invalidOption(
      what,
      'audience',
      audience,
      `a string of at most ${maxAudienceLength} printable characters naming this deployment, such as 'shop-production'`,
    );
  }
  return audience;
}

/** {@link deriveKeys} for secrets already checked. */
export function deriveKeysFrom(
  secrets: readonly CheckedSecret[],
  purpose: string,
  audience: string,
): Keyring {
  const keys = deriveRawKeys(secrets, purpose, audience).map(({ id, key, stretched }): DerivedKey =>
    Object.freeze({ id, key: createSecretKey(key), stretched }),
  );
  const [current] = keys as [DerivedKey, ...DerivedKey[]];
  return Object.freeze({ current, keys: Object.freeze(keys) });
}

/**
 * {@link deriveKeysFrom} with the keys as bytes, for a sealer that keeps them in private
 * fields: no `KeyObject` (a native handle) is made, so a sealer can live in a V8 startup
 * snapshot.
 */
export function deriveRawKeys(
  secrets: readonly CheckedSecret[],
  purpose: string,
  audience: string,
): { id: string; key: Buffer; stretched: boolean }[] {
  return secrets.map((secret) => {
    const stretched = secret.kind === 'passphrase';
    const ikm = stretched ? stretch(secret.bytes, audience) : secret.bytes;
    return {
      id: hkdf(ikm, salt, fields('key-id', audience), 9).toString('base64url'),
      key: hkdf(ikm, salt, fields('key', purpose, audience), 32),
      stretched,
    };
  });
}

/**
 * A new secret: 32 bytes from `crypto.randomBytes`, base64url (43 characters). What
 * `npx sessionkit secret` prints; always key material, used without stretching (the rare
 * draw, under 1 in 1000, that reads like words is drawn again: under 0.002 bits lost).
 * Never `Math.random` (OWASP ASVS 11.5.1).
 */
export function randomSecret(): string {
  for (;;) {
    const secret = randomBytes(32).toString('base64url');
    if (isKeyMaterial(secret)) return secret;
  }
}

/** Compares two byte strings in constant time; false, never a throw, on a length mismatch (C-15). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
