// A fast-check arbitrary over the whole EDN mapping of docs/decisions/0011-edn-mapping.md
// (every value stringifyEdn accepts and parseEdn gives back), shared by the property test and
// the live test against Ring.
import fc from 'fast-check';
import {
  EdnChar,
  EdnDecimal,
  EdnInst,
  EdnKeyword,
  EdnRatio,
  EdnSymbol,
  EdnUuid,
} from '../../src/stores/ring/edn-values.ts';
import { ednKey } from '../../src/stores/ring/edn-write.ts';

const dropped = new Set(['__proto__', 'constructor', 'prototype']);

/** Keyword and symbol names: EDN's symbol characters, some with a namespace. */
const segment = fc
  .tuple(
    fc.constantFrom(...'abcxyz*!_?$%&=<>é'),
    fc.string({ unit: fc.constantFrom(..."abz09*+!-_?$%&=<>.#'é日"), maxLength: 8 }),
  )
  .map(([first, rest]) => first + rest)
  .filter((s) => !s.endsWith(':'));
const name = fc
  .tuple(fc.option(segment, { nil: undefined }), segment)
  .map(([ns, n]) => (ns === undefined ? n : `${ns}/${n}`));
const keyName = name.filter((n) => !dropped.has(n));

const bigint = fc
  .bigInt({ min: -(2n ** 80n), max: 2n ** 80n })
  .chain((b) => fc.constantFrom(b, b % 1000n));
const char = fc
  .integer({ min: 0, max: 0xffff })
  .filter((c) => c < 0xd800 || c > 0xdfff)
  .map((c) => new EdnChar(String.fromCharCode(c)));
const ratio = fc
  .tuple(
    fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
    fc.bigInt({ min: 2n, max: 10n ** 20n }),
  )
  .filter(([n, d]) => n % d !== 0n)
  .map(([n, d]) => new EdnRatio(n, d));
const decimal = fc
  .tuple(fc.integer(), fc.nat({ max: 99 }), fc.boolean())
  .map(([i, f, exp]) => new EdnDecimal(`${i}.${String(f).padStart(2, '0')}${exp ? 'E+3' : ''}`));
const inst = fc
  .date({
    min: new Date('0001-01-01T00:00:00Z'),
    max: new Date('9999-12-31T23:59:59Z'),
    noInvalidDate: true,
  })
  .map((d) => EdnInst.fromDate(d));

/** Distinct by EDN text, as map keys and set elements must be. */
const distinct = <T>(arb: fc.Arbitrary<T>, maxLength: number): fc.Arbitrary<T[]> =>
  fc.uniqueArray(arb, { maxLength, selector: (v) => ednKey(v) });

/**
 * Any value of the EDN mapping. `strings` are the string leaves: binary by default, lone
 * surrogates included (which only sessionkit's writer keeps; Clojure prints them as `?`).
 */
export function ednValue(
  strings: fc.Arbitrary<string> = fc.string({ unit: 'binary', maxLength: 20 }),
  nan = true,
): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double().filter((d) => nan || !Number.isNaN(d)),
    fc.constantFrom(-0, Infinity, -Infinity, ...(nan ? [NaN] : []), 1e100, 1e-7, 0.001, 9999999.5),
    bigint,
    strings,
    name.map((n) => new EdnKeyword(n)),
    name.filter((n) => !['nil', 'true', 'false'].includes(n)).map((n) => new EdnSymbol(n)),
    char,
    ratio,
    decimal,
    inst,
    fc.uuid().map((u) => new EdnUuid(u)),
  );

  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: 4 }),
      distinct(tie('value'), 4).map((items) => new Set(items)),
      fc.dictionary(keyName, tie('value'), { maxKeys: 4 }).map((o) => ({ ...o })),
      fc
        .tuple(
          fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null), tie('value')),
          distinct(fc.tuple(tie('value'), tie('value')), 3),
        )
        .filter(([first]) => !(first instanceof EdnKeyword))
        .map(([first, rest]) => {
          const entries = [[first, 0] as [unknown, unknown], ...rest];
          const seen = new Set<string>();
          return new Map(entries.filter(([k]) => !seen.has(ednKey(k)) && seen.add(ednKey(k))));
        }),
    ),
  }));
  return value;
}
