// C-20: a process copied from a V8 startup snapshot (what single-executable applications
// and `node --snapshot-blob` start from) must not reuse a nonce of its siblings. Before
// issue 16 the IV pool was filled at import, so every process started from one snapshot
// handed out the same IVs: XOR of two sessions' ciphertexts gave away one user's session.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { buildSync } from 'esbuild';

const dir = mkdtempSync(join(tmpdir(), 'sessionkit-snapshot-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const sealModule = fileURLToPath(new URL('../src/crypto/seal.ts', import.meta.url));

/** The snapshot's script: a sealer built and used before the snapshot, then two seals per process. */
const entry = `
import { startupSnapshot } from 'node:v8';
import { createSealer } from ${JSON.stringify(sealModule)};
const sealer = createSealer({
  secrets: ['CvfsiNAILeWibjCCxCHOVIrMD0ItFIS0vkLpJ6L9sF4'],
  cookieName: 'session',
  provider: 'node:crypto', // a native addon cannot be in a snapshot
});
sealer.seal('sealed while the snapshot is built');
startupSnapshot.setDeserializeMainFunction(() => {
  const values = [sealer.seal('a'), sealer.seal('b')];
  if (values.some((value) => sealer.unseal(value) === undefined)) process.exit(3);
  const nonces = values.map((value) => Buffer.from(value.slice(16), 'base64url').subarray(0, 24));
  process.stdout.write(JSON.stringify(nonces.map((nonce) => nonce.toString('hex'))));
});
`;

void describe('nonces in processes copied from one snapshot', () => {
  void it('C-20: two processes started from one V8 startup snapshot seal with different nonces', () => {
    writeFileSync(join(dir, 'entry.ts'), entry);
    buildSync({
      entryPoints: [join(dir, 'entry.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: join(dir, 'entry.cjs'),
      logLevel: 'error',
    });
    const blob = join(dir, 'snapshot.blob');
    const options = { cwd: dir, timeout: 30_000, encoding: 'utf8' as const };
    execFileSync(
      process.execPath,
      ['--no-warnings', '--snapshot-blob', blob, '--build-snapshot', 'entry.cjs'],
      options,
    );
    const run = () =>
      JSON.parse(execFileSync(process.execPath, ['--snapshot-blob', blob], options)) as string[];
    const first = run();
    const second = run();
    assert.equal(first.length, 2);
    assert.equal(new Set([...first, ...second]).size, 4, JSON.stringify({ first, second }));
  });
});
