import { createDecipheriv, hkdfSync } from 'node:crypto';
import type { CheckedSecret } from './secret.ts';

/**
 * Format v1, read only: `v1.<keyId>.<base64url(iv ‖ ciphertext ‖ tag)>`, AES-256-GCM with a
 * 96-bit random IV (sessionkit 0.1; docs/decisions/0003). Nothing seals v1 any more: a store
 * that opens one re-seals it as v2 on the same response (issue 16).
 *
 * v1 keys come from HKDF alone, so a v1 value lets anyone test guesses at the secret at
 * HKDF speed. Values are therefore opened only under secrets that are key material; under a
 * passphrase they are refused, since whoever guessed the passphrase could forge them.
 */
export interface V1Opener {
  /** The plaintext of an authentic v1 value and the position of its secret, else undefined. Never throws. */
  unseal(sealed: string): { plaintext: string; keyIndex: number } | undefined;
}

const version = 'v1.';
/** `v1.` + 8-character key id + `.`: the body starts here. */
const bodyStart = version.length + 8 + 1;
const ivBytes = 12;
const tagBytes = 16;

interface Entry {
  /** Raw bytes, not a KeyObject: an opener can then live in a V8 startup snapshot. */
  key: Buffer;
  /** `'sessionkit/v1' ‖ 0x00 ‖ keyId ‖ 0x00 ‖ cookieName`, as v1 sealed it. */
  aad: Buffer;
  index: number;
}

/**
 * The v1 reader for `secrets` (already checked), or undefined when none of them is key
 * material. v1 derivation: `key = HKDF-SHA256(secret, 'sessionkit/v1', purpose)`, key id =
 * 6 bytes of the same under `info = 'key-id'`.
 */
export function createV1Opener(
  secrets: readonly CheckedSecret[],
  cookieName: string,
  purpose: string,
): V1Opener | undefined {
  const byId = new Map<string, Entry[]>();
  secrets.forEach((secret, index) => {
    if (secret.kind !== 'key') return;
    const id = Buffer.from(hkdfSync('sha256', secret.bytes, 'sessionkit/v1', 'key-id', 6)).toString(
      'base64url',
    );
    const key = Buffer.from(hkdfSync('sha256', secret.bytes, 'sessionkit/v1', purpose, 32));
    const aad = Buffer.from(`sessionkit/v1\0${id}\0${cookieName}`, 'utf8');
    // Two secrets may share a 48-bit id: keep both and try each.
    byId.set(id, [...(byId.get(id) ?? []), { key, aad, index }]);
  });
  return byId.size === 0 ? undefined : { unseal: (sealed) => unseal(byId, sealed) };
}

function unseal(
  byId: ReadonlyMap<string, readonly Entry[]>,
  sealed: string,
): { plaintext: string; keyIndex: number } | undefined {
  // C-17: the version and the separator after the id.
  if (!sealed.startsWith(version) || sealed.charCodeAt(bodyStart - 1) !== 0x2e) return undefined;
  // C-07: an unknown or garbage key id is a Map miss, never a throw.
  const entries = byId.get(sealed.slice(version.length, bodyStart - 1));
  if (entries === undefined) return undefined;
  const body = sealed.slice(bodyStart);
  const bytes = Buffer.from(body, 'base64url');
  // C-04: a tag shorter than 16 bytes is refused here, before decryption.
  if (bytes.length < ivBytes + tagBytes) return undefined;
  // C-03: only the canonical encoding (RFC 4648 §3.5).
  if (bytes.toString('base64url') !== body) return undefined;
  const tagStart = bytes.length - tagBytes;
  for (const entry of entries) {
    const decipher = createDecipheriv('aes-256-gcm', entry.key, bytes.subarray(0, ivBytes), {
      authTagLength: tagBytes,
    });
    decipher.setAAD(entry.aad);
    decipher.setAuthTag(bytes.subarray(tagStart));
    const plaintext = decipher.update(bytes.subarray(ivBytes, tagStart));
    try {
      decipher.final(); // C-02, C-05: a wrong tag, key, key id, cookie name or byte throws here.
    } catch {
      continue;
    }
    return { plaintext: plaintext.toString('utf8'), keyIndex: entry.index };
  }
  return undefined;
}
