// The documentation resolves inside the repository: every security case id used anywhere is
// described in docs/security.md, and nothing shipped points at a file we do not have.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';

function files(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(path, pattern));
    else if (pattern.test(entry.name)) out.push(path);
  }
  return out;
}

const code = [...['src', 'test', 'examples', 'bench'].flatMap((dir) => files(dir, /\.(ts|mjs)$/))];
const markdown = ['README.md', ...files('docs', /\.md$/)];
const security = readFileSync('docs/security.md', 'utf8');
const caseId = /\b[PSCLFXRQZKV]-\d{2}\b/g;

describe('documentation', () => {
  it('docs/security.md describes every case id the code, tests and docs use', () => {
    const described = new Set([...security.matchAll(/\*\*([A-Z]-\d{2})\*\*/g)].map((m) => m[1]));
    const missing = new Set<string>();
    for (const file of [...code, ...markdown]) {
      for (const [id] of readFileSync(file, 'utf8').matchAll(caseId)) {
        if (!described.has(id)) missing.add(`${id} (${file})`);
      }
    }
    assert.deepEqual([...missing], []);
  });

  it('nothing shipped (source comments, README) points outside the repository', () => {
    const shipped = [...files('src', /\.ts$/).filter((f) => !f.endsWith('.test.ts')), 'README.md'];
    const outside =
      /ARCHITECTURE\.md|ring-semantics|security-cases|performance-notes|\.\.\/shared|src\/lib\//;
    const wrong = shipped.filter((file) => outside.test(readFileSync(file, 'utf8')));
    assert.deepEqual(wrong, []);
  });

  it('relative links and repository paths in the Markdown resolve', () => {
    const broken: string[] = [];
    for (const file of markdown) {
      const text = readFileSync(file, 'utf8');
      for (const [, target] of text.matchAll(/\]\((?!https?:|#|mailto:)([^)#\s]+)/g)) {
        if (!existsSync(join(dirname(file), target!))) broken.push(`${file} → ${target}`);
      }
      for (const [, path] of text.matchAll(
        /`((?:src|test|docs|examples|bench|scripts)\/[\w./-]+\.\w+)`/g,
      )) {
        if (!existsSync(path!)) broken.push(`${file} → ${path}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
