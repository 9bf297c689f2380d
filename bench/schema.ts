/**
 * What a session `schema` costs per request: checking the 197-byte session of the seal bench
 * as a request reads it and as a response writes it, with zod, valibot and arktype, beside
 * one `JSON.parse` of the same session (what any store does per read) for scale.
 * `npx tsx bench/index.ts schema`, about 15 s.
 */
import { type } from 'arktype';
import * as v from 'valibot';
import { z } from 'zod';
import { sessionCheck } from '../src/session/schema.ts';
import type { StandardSchemaV1 } from '../src/core/standard-schema.ts';
import type { SessionData } from '../src/core/types.ts';
import { compare, formatOps, printTable } from './harness.ts';
import { SESSION } from './seal.ts';

const schemas: [string, StandardSchemaV1][] = [
  [
    'zod 4',
    z.object({
      userId: z.string(),
      email: z.string(),
      name: z.string(),
      roles: z.array(z.string()),
      locale: z.string(),
      csrf: z.string(),
      lastSeen: z.number().int(),
      n: z.number(),
    }),
  ],
  [
    'valibot 1',
    v.object({
      userId: v.string(),
      email: v.string(),
      name: v.string(),
      roles: v.array(v.string()),
      locale: v.string(),
      csrf: v.string(),
      lastSeen: v.pipe(v.number(), v.integer()),
      n: v.number(),
    }),
  ],
  [
    'arktype 2',
    type({
      userId: 'string',
      email: 'string',
      name: 'string',
      roles: 'string[]',
      locale: 'string',
      csrf: 'string',
      lastSeen: 'number.integer',
      n: 'number',
    }),
  ],
];

export function runSchemaBench(): void {
  const session: SessionData = { ...SESSION };
  const json = JSON.stringify(session);
  const cases = schemas.map(([name, schema]) => {
    const check = sessionCheck('bench', schema, undefined)!;
    const read = check.read(session);
    if (Array.isArray(read)) throw new Error(`bench: ${name} refused the session`);
    return { name, fn: () => (check.write(session, 'bench'), check.read(session)) };
  });
  const results = compare(
    [{ name: 'JSON.parse (scale)', fn: (): unknown => JSON.parse(json) }, ...cases],
    {
      seconds: 1,
      rounds: 3,
    },
  );
  printTable(
    results.map((result) => ({
      'one read check + one write check': result.name,
      'ops/s': formatOps(result.opsPerSecond),
      'µs each': (1e6 / result.opsPerSecond).toFixed(2),
    })),
  );
}
