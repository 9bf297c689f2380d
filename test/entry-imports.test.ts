// What each built entry point loads: the frameworks are optional peer dependencies, so
// `sessionkit` and `sessionkit/node` must never reach them, and `sessionkit/fetch` must not
// reach node:http (it runs where there is none). Read from dist/, the code users import.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';

/** Every module specifier of a built file: static imports, re-exports and import(). */
function specifiers(source: string): string[] {
  // Comments go first: the JSDoc examples name packages the code never imports.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const pattern =
    /\b(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const match of code.matchAll(pattern)) found.push((match[1] ?? match[2] ?? match[3])!);
  return found;
}

/** The packages and builtins reachable from a built entry, following relative imports. */
function reachable(entry: string): Set<string> {
  const external = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else external.add(spec);
    }
  };
  visit(resolve('dist', `${entry}.js`));
  return external;
}

const frameworks = /^(express|hono|fastify|fastify-plugin|@hono\/|@fastify\/)/;

describe('built entry points', () => {
  it('dist/ is built (npm test builds before it tests)', () => {
    assert.ok(existsSync('dist/index.js'), 'run `npm run build`');
  });

  for (const entry of ['index', 'node', 'testing', 'fetch']) {
    it(`${entry}.js reaches no framework and no package at all, only node: builtins`, () => {
      const outside = [...reachable(entry)].filter((spec) => !spec.startsWith('node:'));
      assert.deepEqual(outside, []);
      assert.ok(![...reachable(entry)].some((spec) => frameworks.test(spec)));
    });
  }

  it('fetch.js never reaches node:http, node:net or node:stream', () => {
    const builtins = [...reachable('fetch')].filter((spec) =>
      /^node:(http|https|http2|net|tls|stream)$/.test(spec),
    );
    assert.deepEqual(builtins, []);
  });

  it('each framework entry loads only its own framework', () => {
    assert.deepEqual(
      [...reachable('express')].filter((spec) => frameworks.test(spec)),
      [],
      'sessionkit/express needs Express only for its types',
    );
    assert.deepEqual(
      [...reachable('hono')].filter((spec) => frameworks.test(spec)),
      ['hono/factory'],
    );
    assert.deepEqual(
      [...reachable('fastify')].filter((spec) => frameworks.test(spec)),
      ['fastify-plugin'],
    );
  });
});
