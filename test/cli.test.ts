// The built command, as `npx sessionkit` runs it (npm test builds dist/ before the tests).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { before, describe, it } from 'node:test';

const bin = 'dist/cli.js';

function cli(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
}

describe('sessionkit CLI', () => {
  before(() => {
    assert.ok(existsSync(bin), `${bin} is missing: run \`npm run build\` (npm test does)`);
  });

  it('`sessionkit secret` prints a fresh 32-byte base64url secret each time', () => {
    const a = cli('secret');
    const b = cli('secret');
    assert.equal(a.status, 0);
    assert.match(a.stdout, /^[A-Za-z0-9_-]{43}\n$/);
    assert.notEqual(a.stdout, b.stdout);
  });

  it('an unknown command prints the usage and exits 2', () => {
    const result = cli('bogus');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /usage: sessionkit secret/);
  });
});
