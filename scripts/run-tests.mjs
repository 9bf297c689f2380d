// Runs every *.test.ts under src/ and test/ with Node's test runner (Node 20 has no
// glob support in `node --test`). Extra arguments are passed to the runner.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...find(path));
    else if (entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files = [...find('src'), ...find('test')].sort();
if (files.length === 0) {
  console.error('no test files found under src/ or test/');
  process.exit(1);
}
// Node runs availableParallelism() - 1 files at once: one at a time on a 2-core machine. Most
// files spend their time starting a process, a server, Redis, a JVM or a browser, so more
// files in flight finish sooner; an explicit --test-concurrency still wins.
const concurrency = `--test-concurrency=${Math.max(2, availableParallelism()) * 2}`;
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', concurrency, ...process.argv.slice(2), ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
