// The id a sealed session carries (inside its encrypted payload, never in clear): what a
// revocation list names when it revokes one session. Time-ordered like a UUIDv7, so that
// "every session of this subject issued before T" needs nothing but the id.
//
//   base64url( issued-at, 6 bytes, milliseconds since the epoch, big-endian ‖ 16 random bytes )
//
// 22 bytes, 30 characters. The 128 random bits come from the kernel (as nonces do, C-20).
import { osRandom } from '../crypto/random.ts';

/** A session id: 30 base64url characters. */
export const sessionIdPattern = /^[A-Za-z0-9_-]{30}$/;

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const values = new Int8Array(128).fill(-1);
for (let i = 0; i < alphabet.length; i++) values[alphabet.charCodeAt(i)] = i;

/** 6 bytes of `ms` then `rest` (16 bytes), as base64url. */
function encode(ms: number, rest: Uint8Array): string {
  const bytes = Buffer.allocUnsafe(22);
  bytes.writeUIntBE(Math.max(0, Math.min(Math.floor(ms), 2 ** 48 - 1)), 0, 6);
  bytes.set(rest.subarray(0, 16), 6);
  return bytes.toString('base64url');
}

/**
 * A fresh session id issued at `nowMs`: its time, then 128 bits from the operating system's
 * random source (security case L-03).
 */
export function newSessionId(nowMs: number): string {
  const random = new Uint8Array(16);
  osRandom(random);
  return encode(nowMs, random);
}

/**
 * The id of a session sealed before sessions carried one: issued at its creation time, the
 * rest taken from a digest of the sealed value, so the same old value always has the same id
 * and the re-sealed value keeps it (a logout then revokes the old copy too).
 */
export function legacySessionId(createdAtMs: number, digest: Uint8Array): string {
  return encode(createdAtMs, digest);
}

/** When `id` was issued, in milliseconds since the epoch (its first 8 characters). */
export function sessionIdTime(id: string): number {
  let ms = 0;
  for (let i = 0; i < 8; i++) ms = ms * 64 + Math.max(0, values[id.charCodeAt(i) & 127]!);
  return ms;
}
