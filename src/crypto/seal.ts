import { invalidOption } from '../core/errors.ts';
import { MAX_COOKIE_BYTES } from '../core/limits.ts';
import { fields } from './kdf.ts';
import { checkAudience, checkSecrets, deriveRawKeys } from './keys.ts';
import type { Secret } from './keys.ts';
import { createV1Opener } from './seal-v1.ts';
import type { V1Opener } from './seal-v1.ts';
import { nonceBytes, resolveProvider, tagBytes } from './xchacha.ts';
import type { AeadProvider, ProviderChoice } from './xchacha.ts';

export type { ProviderChoice } from './xchacha.ts';

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
  /**
   * The deployment (`SESSION_AUDIENCE`): bound into the keys and the associated data, so a
   * value sealed for one audience never opens in another that shares the secret.
   * @default '' (none)
   */
  audience?: string | undefined;
  /**
   * Who computes XChaCha20-Poly1305. `'auto'` uses the optional `sodium-native` package when
   * it is installed and node:crypto otherwise; both give identical bytes.
   * @default 'auto'
   */
  provider?: ProviderChoice | undefined;
}

/** What {@link Sealer.unseal} gives back for an authentic value. */
export interface Unsealed {
  plaintext: string;
  /** The position of the secret that opened it: 0 is the current secret, more is a previous one. */
  keyIndex: number;
  /** The format it was sealed in: 2 today; 1 for a value from sessionkit 0.1, to be re-sealed. */
  version: 1 | 2;
}

/**
 * Why a value does not open, as {@link Sealer.inspect} says it (for `sessionkit open`; a
 * request never learns more than "no session"):
 * - `too-long`: longer than a cookie can be (Z-03);
 * - `unknown-format`: neither `v2.` nor a value of format v1;
 * - `unknown-key`: format v2 under a key id none of the secrets has: another secret or
 *   another audience sealed it;
 * - `malformed`: the key id is known but the value is cut, re-encoded or not canonical;
 * - `tampered`: it does not authenticate under the key its id names: changed, or sealed for
 *   another cookie name;
 * - `v1-refused`: format v1 while no secret is key material (v1 opens only under those);
 * - `v1-unopened`: format v1 that none of the secrets opens (another secret, or tampered).
 */
export type SealFailure =
  | 'too-long'
  | 'unknown-format'
  | 'unknown-key'
  | 'malformed'
  | 'tampered'
  | 'v1-refused'
  | 'v1-unopened';

/** Seals and opens strings with the keys derived once from a list of secrets. */
export interface Sealer {
  /** Encrypts and authenticates `plaintext` in format v2, always with the current secret. */
  seal(plaintext: string): string;
  /** The plaintext of a value this sealer (or one with the same secrets, cookie name and audience) sealed, else undefined. Never throws. */
  unseal(sealed: string): Unsealed | undefined;
  /**
   * {@link unseal} saying why a value does not open: the same code, with the reason in place
   * of undefined. Never throws.
   */
  inspect(sealed: string): Unsealed | SealFailure;
  /** The implementation in use: `'sodium-native'` or `'node:crypto'`. */
  readonly provider: AeadProvider['name'];
  /** The public key id of each secret, in order (the 12 characters after `v2.` in a value). */
  readonly keyIds: readonly string[];
}

/** The format version, the first segment of every value (security case C-17). */
const version = 'v2.';
/** The key id's length: 9 bytes of HKDF output, base64url. */
const idLength = 12;
/** `v2.` + key id + `.`: the body starts here. */
const bodyStart = version.length + idLength + 1;
/** Plaintexts are padded to a multiple of this many bytes, so a value's length tells little about its contents. */
export const paddingBlock = 32;
/** Values longer than this are refused before any decoding (security case Z-03): a cookie holds no more. */
export const maxSealedLength = MAX_COOKIE_BYTES;

interface Entry {
  /** The 32-byte XChaCha20-Poly1305 key. */
  key: Buffer;
  /** `fields('sessionkit/v2', keyId, audience, cookieName)`, computed once. */
  aad: Buffer;
  index: number;
}

/**
 * Creates a sealer: XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03; libsodium's
 * `crypto_aead_xchacha20poly1305_ietf`) with a fresh 192-bit nonce from the operating system
 * per seal, a 16-byte tag, and associated data that binds the format version, the key id,
 * the audience and the cookie name. Keys are derived once, here (see `deriveKeys`). Values
 * of format v1 still open (under secrets that are key material) and report `version: 1`.
 *
 * A sealed value is `v2.<keyId>.<base64url(nonce ‖ ciphertext ‖ tag)>`: the version, the
 * 12-character id of the secret that sealed it, and the canonical unpadded base64url
 * (RFC 4648 §5) of 24 + p + 16 bytes, p being the UTF-8 plaintext followed by 0x80 and
 * zeros up to the next multiple of 32 bytes (ISO/IEC 7816-4 padding). Plaintexts are
 * UTF-8: a lone surrogate in a string becomes U+FFFD (JSON text never has one).
 *
 * With random 192-bit nonces, one key can seal 2^64 values with a chance of any nonce
 * repeating below 2^-65 (decision record 0009): no rotation is needed for volume.
 *
 * @example
 * const sealer = createSealer({ secrets: [process.env.COOKIE_SECRET!], cookieName: 'session', audience: 'shop' });
 * const value = sealer.seal('{"user":1}');
 * sealer.unseal(value); // { plaintext: '{"user":1}', keyIndex: 0, version: 2 }
 */
export function createSealer(options: SealerOptions): Sealer {
  return new XChaChaSealer(options);
}

class XChaChaSealer implements Sealer {
  readonly provider: AeadProvider['name'];
  readonly keyIds: readonly string[];
  readonly #aead: AeadProvider;
  readonly #current: Entry;
  /** `v2.<current key id>.` */
  readonly #prefix: string;
  readonly #byId = new Map<string, Entry[]>();
  readonly #v1: V1Opener | undefined;

  constructor(options: SealerOptions) {
    const { secrets, cookieName, purpose = 'session-enc', provider = 'auto' } = options;
    if (typeof cookieName !== 'string' || cookieName === '') {
      throw invalidOption('createSealer', 'cookieName', cookieName, 'a non-empty string');
    }
    if (typeof purpose !== 'string' || purpose === '') {
      throw invalidOption('createSealer', 'purpose', purpose, 'a non-empty string');
    }
    const audience = checkAudience(options.audience, 'createSealer');
    const aead =
      provider === 'auto' || provider === 'node:crypto' || provider === 'sodium-native'
        ? resolveProvider(provider)
        : undefined;
    if (aead === undefined) {
      throw invalidOption(
        'createSealer',
        'provider',
        provider,
        provider === 'sodium-native'
          ? "'auto' or 'node:crypto' (the optional package sodium-native is not installed or does not load)"
          : "'auto', 'node:crypto' or 'sodium-native'",
      );
    }
    this.#aead = aead;
    this.provider = aead.name;
    const checked = checkSecrets(secrets);
    const keys = deriveRawKeys(checked, purpose, audience);
    const entries = keys.map(({ id, key }, index): Entry => {
      const entry = {
        key,
        aad: fields('sessionkit/v2', id, audience, cookieName),
        index,
      };
      // Two secrets sharing a 72-bit id is unheard of, but costs nothing to allow: try both.
      this.#byId.set(id, [...(this.#byId.get(id) ?? []), entry]);
      return entry;
    });
    this.keyIds = Object.freeze(keys.map(({ id }) => id));
    this.#current = entries[0]!;
    this.#prefix = `${version}${keys[0]!.id}.`;
    this.#v1 = createV1Opener(checked, cookieName, purpose);
  }

  seal(plaintext: string): string {
    const { key, aad } = this.#current;
    const length = Buffer.byteLength(plaintext, 'utf8');
    const padded = length - (length % paddingBlock) + paddingBlock;
    // One allocation: the padded plaintext, then the output (nonce ‖ ciphertext ‖ tag).
    const work = Buffer.allocUnsafe(padded + nonceBytes + padded + tagBytes);
    work.write(plaintext, 0, length, 'utf8');
    work[length] = 0x80;
    work.fill(0, length + 1, padded);
    const out = work.subarray(padded);
    const nonce = out.subarray(0, nonceBytes);
    this.#aead.random(nonce); // fresh from the OS on every seal (issue 16, point 2)
    this.#aead.seal(out.subarray(nonceBytes), work.subarray(0, padded), aad, nonce, key);
    return this.#prefix + out.toString('base64url');
  }

  unseal(sealed: string): Unsealed | undefined {
    const opened = this.inspect(sealed);
    return typeof opened === 'string' ? undefined : opened;
  }

  inspect(sealed: string): Unsealed | SealFailure {
    // Z-03: a length cap before any decoding. C-15: a non-string is simply invalid.
    if (typeof sealed !== 'string') return 'unknown-format';
    if (sealed.length > maxSealedLength) return 'too-long';
    // C-17: the version decides the reader; a v2 value is never read as v1 or the reverse.
    if (sealed.startsWith(version)) return this.#unsealV2(sealed);
    if (!sealed.startsWith('v1.')) return 'unknown-format';
    if (this.#v1 === undefined) return 'v1-refused';
    const old = this.#v1.unseal(sealed);
    return old === undefined ? 'v1-unopened' : { ...old, version: 1 };
  }

  #unsealV2(sealed: string): Unsealed | SealFailure {
    if (sealed.charCodeAt(bodyStart - 1) !== 0x2e) return 'unknown-format';
    // C-07: an unknown or garbage key id is a Map miss, never a throw.
    const entries = this.#byId.get(sealed.slice(version.length, bodyStart - 1));
    if (entries === undefined) return 'unknown-key';
    const body = sealed.slice(bodyStart);
    const bytes = Buffer.from(body, 'base64url');
    // C-04: the layout is fixed, so a short tag or a cut value has the wrong length here.
    const padded = bytes.length - nonceBytes - tagBytes;
    if (padded < paddingBlock || padded % paddingBlock !== 0) return 'malformed';
    // C-03: Buffer.from skips characters outside the alphabet and accepts `+/=`; the encoder
    // only ever writes the canonical form, so equality also proves the alphabet and the
    // zero trailing bits (RFC 4648 §3.5).
    if (bytes.toString('base64url') !== body) return 'malformed';
    const nonce = bytes.subarray(0, nonceBytes);
    const boxed = bytes.subarray(nonceBytes);
    for (const entry of entries) {
      // C-02, C-05: a wrong tag, key, key id, audience, cookie name or byte fails here.
      const message = this.#aead.open(boxed, entry.aad, nonce, entry.key);
      if (message === undefined) continue;
      // The padding: zeros after a 0x80, at most one block of it.
      let end = padded - 1;
      while (end > padded - paddingBlock && message[end] === 0) end--;
      if (message[end] !== 0x80) return 'tampered';
      return { plaintext: message.toString('utf8', 0, end), keyIndex: entry.index, version: 2 };
    }
    return 'tampered';
  }
}
