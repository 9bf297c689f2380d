// Fresh randomness for every nonce. Nothing is pooled or cached in this process's memory:
// a process copied from a V8 startup snapshot, a single-executable snapshot, or a
// checkpoint (CRIU, a VM snapshot) would otherwise hand out the same bytes twice (issue 16,
// point 2; security case C-20). Node's `randomFillSync` draws from OpenSSL's user-space
// generator, whose state a memory checkpoint copies too, and costs ~1.8–2.8 µs here; a read
// of the kernel's `/dev/urandom` costs ~0.75–1 µs and its state is never in our memory.
import { randomBytes, randomFillSync } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { startupSnapshot } from 'node:v8';

/** The length of an XChaCha20 nonce, in bytes. */
const nonceBytes = 24;

let urandom: number | undefined;
let urandomFailed = false;

if (startupSnapshot?.isBuildingSnapshot?.() === true) {
  // A file descriptor does not survive into a snapshot's processes: close it before the
  // snapshot is taken, so each process opens its own.
  startupSnapshot.addSerializeCallback(() => {
    if (urandom !== undefined) closeSync(urandom);
    urandom = undefined;
  });
}

function openUrandom(): number | undefined {
  try {
    const fd = openSync('/dev/urandom', 'r');
    if (fstatSync(fd).isCharacterDevice()) return fd;
    closeSync(fd);
  } catch {
    // No /dev/urandom (Windows, a restricted sandbox): OpenSSL's generator below.
  }
  urandomFailed = true;
  return undefined;
}

/**
 * Fills `target` from the kernel (`/dev/urandom`, one `read` per call), or from
 * `crypto.randomFillSync` where there is no `/dev/urandom`.
 */
export function osRandom(target: Uint8Array): void {
  if (!urandomFailed) {
    urandom ??= openUrandom();
    if (urandom !== undefined) {
      try {
        if (readSync(urandom, target, 0, target.length, null) === target.length) return;
      } catch {
        // Closed under us: fall through.
      }
      // Never read that number again, nor close it (it may be someone else's file now):
      // the next call opens /dev/urandom afresh.
      urandom = undefined;
    }
  }
  randomFillSync(target);
}

/** A secret of this process and a count of its nonces; see {@link freshNonce}. */
let nonceMask: Buffer | undefined;
let nonceCount = 0;

/**
 * A 24-byte nonce: {@link osRandom}, XORed with a random mask of this process and a count of
 * its nonces. The kernel's bytes make it fresh in every copy of the process; the count makes
 * it unique within this one even if the descriptor were ever closed and its number reused
 * by a file under our feet (nonces would then be predictable only to whoever knows the
 * mask, and still never repeat here).
 */
export function freshNonce(target: Uint8Array): void {
  osRandom(target);
  nonceMask ??= randomBytes(nonceBytes);
  let count = ++nonceCount;
  for (let i = 0; i < nonceBytes; i++) target[i]! ^= nonceMask[i]!;
  for (let i = nonceBytes - 1; count > 0; i--) {
    target[i]! ^= count % 256;
    count = Math.floor(count / 256);
  }
}
