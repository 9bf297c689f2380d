// The layer rule of docs/decisions/0006-layers.md, enforced over the import graph of src/:
// imports point down (or within a folder), sibling stores and hosts never import each other,
// there is no cycle (type-only imports included), and the core names nothing from `node:`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

/** Lowest first. A file may import its own layer or a lower one. */
const layers = [
  'core',
  'crypto',
  'cookies',
  'session',
  'stores',
  'csrf',
  'config',
  'testing',
  'hosts',
  'cli',
  '(entry)',
] as const;

/** Layers whose sub-folders are siblings that must not import one another. */
const families = new Set(['stores', 'hosts']);

const root = resolve('src');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Every module specifier in import and export-from statements, `import type` included. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  const pattern =
    /(?:^|\n)\s*(?:import|export)\b[^'";]*?\bfrom\s*'([^']+)'|(?:^|\n)\s*import\s*'([^']+)'/g;
  for (const match of text.matchAll(pattern)) found.push((match[1] ?? match[2])!);
  return found;
}

function layerOf(file: string): { layer: string; family: string | undefined } {
  const parts = relative(root, file).split('/');
  if (parts.length === 1) return { layer: '(entry)', family: undefined };
  const layer = parts[0]!;
  return { layer, family: families.has(layer) && parts.length > 2 ? parts[1] : undefined };
}

const files = sources(root);
const graph = new Map<string, string[]>();
for (const file of files) {
  const deps: string[] = [];
  for (const spec of specifiers(readFileSync(file, 'utf8'))) {
    if (spec.startsWith('.')) deps.push(resolve(dirname(file), spec));
    else deps.push(spec);
  }
  graph.set(file, deps);
}

describe('layers (docs/decisions/0006-layers.md)', () => {
  it('every source file lives in a known layer', () => {
    for (const file of files) {
      const { layer } = layerOf(file);
      assert.ok(
        (layers as readonly string[]).includes(layer),
        `${relative(root, file)}: unknown layer ${layer}`,
      );
    }
  });

  it('imports point down or within a layer, never up', () => {
    const wrong: string[] = [];
    for (const [file, deps] of graph) {
      const from = layerOf(file);
      for (const dep of deps) {
        if (!dep.startsWith('/')) continue;
        const to = layerOf(dep);
        if (layers.indexOf(to.layer as never) > layers.indexOf(from.layer as never)) {
          wrong.push(`${relative(root, file)} → ${relative(root, dep)}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('a store or a host never imports a sibling store or host', () => {
    const wrong: string[] = [];
    for (const [file, deps] of graph) {
      const from = layerOf(file);
      for (const dep of deps) {
        if (!dep.startsWith('/')) continue;
        const to = layerOf(dep);
        if (
          to.layer === from.layer &&
          to.family !== undefined &&
          from.family !== undefined &&
          to.family !== from.family
        ) {
          wrong.push(`${relative(root, file)} → ${relative(root, dep)}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('there is no import cycle, type-only imports included', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push(
          [...path.slice(path.indexOf(file)), file].map((f) => relative(root, f)).join(' → '),
        );
        return;
      }
      state.set(file, 'open');
      for (const dep of graph.get(file) ?? []) if (graph.has(dep)) visit(dep, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    assert.deepEqual(cycles, []);
  });

  it('the core imports nothing from node: or any package', () => {
    const wrong: string[] = [];
    for (const [file, deps] of graph) {
      if (layerOf(file).layer !== 'core') continue;
      for (const dep of deps)
        if (!dep.startsWith('/')) wrong.push(`${relative(root, file)} → ${dep}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('entry points only re-export', () => {
    for (const file of files) {
      if (layerOf(file).layer !== '(entry)' || file.endsWith('cli.ts')) continue;
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '')
        .trim();
      for (const statement of code.split(/;\s*/).filter((s) => s !== '')) {
        assert.match(statement, /^export\b[\s\S]*\bfrom\s*'[^']+'$/, relative(root, file));
      }
    }
  });

  it('no folder holds more than a dozen source files', () => {
    const counts = new Map<string, number>();
    for (const file of files) counts.set(dirname(file), (counts.get(dirname(file)) ?? 0) + 1);
    for (const [dir, count] of counts) assert.ok(count <= 12, `${relative(root, dir)}: ${count}`);
  });
});
