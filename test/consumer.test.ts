// The README as a new user follows it: the package as `npm pack` builds it, installed into a
// project made by `npm init -y` with TypeScript and Node's types; the README's example must
// type-check there as written, and the package must load from ESM and from CommonJS.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = resolve('.');
let project: string;

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  assert.equal(
    result.status,
    0,
    `${command} ${args.join(' ')}\n${result.stdout}\n${result.stderr}`,
  );
  return result.stdout;
}

/** The first TypeScript block after a README heading. */
function readmeExample(heading: string): string {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf(`\n## ${heading}\n`));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(match, `no TypeScript block under "## ${heading}"`);
  return match[1]!;
}

before(() => {
  assert.ok(existsSync('dist/index.js'), 'dist/ is missing: run `npm run build` (npm test does)');
  project = mkdtempSync(join(tmpdir(), 'sessionkit-consumer-'));
  const packed = run(
    'npm',
    ['pack', '--ignore-scripts', '--silent', '--pack-destination', project],
    root,
  ).trim();
  // What `npm install <tarball>` puts in node_modules, without the network.
  mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
  run('tar', ['-xzf', packed, '-C', join(project, 'node_modules')], project);
  run(
    'mv',
    [join(project, 'node_modules', 'package'), join(project, 'node_modules', 'sessionkit')],
    project,
  );
  symlinkSync(
    join(root, 'node_modules', 'typescript'),
    join(project, 'node_modules', 'typescript'),
  );
  symlinkSync(
    join(root, 'node_modules', '@types', 'node'),
    join(project, 'node_modules', '@types', 'node'),
  );
  run('npm', ['init', '-y', '--silent'], project);
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'nodenext',
        strict: true,
        types: ['node'],
        noEmit: true,
      },
    }),
  );
});

after(() => rmSync(project, { recursive: true, force: true }));

describe('a consumer project', () => {
  it("type-checks the README's example as written", () => {
    writeFileSync(join(project, 'app.mts'), readmeExample('Using it'));
    run(
      process.execPath,
      [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'],
      project,
    );
  });

  it('ships no source maps pointing at sources it does not ship', () => {
    const files = run('find', ['node_modules/sessionkit', '-name', '*.map'], project);
    assert.equal(files.trim(), '');
  });

  it('loads from ESM and, on Node 20.19 or later, from CommonJS', () => {
    const esm = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import('sessionkit').then((m) => console.log(typeof m.wrapSession))",
      ],
      project,
    );
    assert.equal(esm.trim(), 'function');
    const cjs = run(
      process.execPath,
      ['-e', "console.log(typeof require('sessionkit/node').serve)"],
      project,
    );
    assert.equal(cjs.trim(), 'function');
  });
});
