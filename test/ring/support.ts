// Shared by the Ring parity suite (test/ring/*.test.ts): Ring's own middleware tests, ported
// one `is` to one `it`. A case that passes says what it checks; a case where sessionkit
// answers differently on purpose asserts sessionkit's answer and names the README row of
// "Deviations from Ring and Kit" that explains it, which `deviation` checks exists.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { SessionStore, StoredSession } from '../../src/session/store.ts';
import type { SessionData } from '../../src/core/types.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Deviations from Ring'));
const rows = section
  .slice(0, section.indexOf('\n## ', 3) === -1 ? undefined : section.indexOf('\n## ', 3))
  .split('\n')
  .filter((line) => line.startsWith('| '))
  .map((line) => line.split('|')[1]!.trim());

/**
 * Asserts that the README's "Deviations from Ring and Kit" tables have a row whose topic is
 * exactly `topic`, so that a case pointing at it can never point at nothing.
 */
export function deviation(topic: string): void {
  assert.ok(
    rows.includes(topic),
    `README "Deviations from Ring and Kit" has no row ${JSON.stringify(topic)}`,
  );
}

/** One recorded call: the arguments a store function was called with. */
export type Trace = unknown[][];

/**
 * Ring's `make-store` with `trace-fn`: a store whose three operations are given as
 * functions, each call's arguments recorded. Ring's `read-session` returning a map means
 * "found"; here `read` returns the data, wrapped as a {@link StoredSession}.
 */
export function tracedStore(functions: {
  read?: (key: string) => SessionData | undefined;
  write?: (key: string | undefined, data: SessionData) => string | undefined;
  delete?: (key: string) => void;
}): SessionStore & { reads: Trace; writes: Trace; deletes: Trace } {
  const reads: Trace = [];
  const writes: Trace = [];
  const deletes: Trace = [];
  return {
    reads,
    writes,
    deletes,
    async read(key): Promise<StoredSession | undefined> {
      reads.push([key]);
      const data = functions.read?.(key);
      return data === undefined ? undefined : { data, createdAt: 0, stale: false };
    },
    async write(key, data) {
      writes.push([key, data]);
      return functions.write?.(key, data);
    },
    async touch(key) {
      return key;
    },
    async delete(key) {
      deletes.push([key]);
      functions.delete?.(key);
    },
  };
}
