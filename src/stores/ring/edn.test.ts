import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionkitError } from '../../core/errors.ts';
import { ednToJson } from './edn-json.ts';
import { parseEdn } from './edn-read.ts';
import {
  EdnChar,
  EdnDecimal,
  EdnInst,
  EdnKeyword,
  EdnRatio,
  EdnSymbol,
  EdnUuid,
  isEdnName,
} from './edn-values.ts';
import { javaDouble, stringifyEdn } from './edn-write.ts';

const refusedRead = (text: string, why: RegExp): void => {
  assert.throws(
    () => parseEdn(text),
    (error: unknown) =>
      error instanceof SessionkitError && error.code === 'invalid_edn' && why.test(error.message),
    text.slice(0, 40),
  );
};

const refusedWrite = (value: unknown, why: RegExp): void => {
  assert.throws(
    () => stringifyEdn(value),
    (error: unknown) =>
      error instanceof SessionkitError &&
      error.code === 'unserializable_session' &&
      why.test(error.message),
  );
};

describe('parseEdn', () => {
  it('maps keyword-keyed maps to plain objects keyed by the keyword without its colon', () => {
    const value = parseEdn('{:user "alice", :a.b/c 1, :_flash {:type :success}}');
    assert.deepEqual(value, {
      user: 'alice',
      'a.b/c': 1,
      _flash: { type: new EdnKeyword('success') },
    });
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
  });

  it('reads #:ns{…} maps: unqualified keys get the namespace, :_/k none, qualified ones keep theirs', () => {
    assert.deepEqual(parseEdn('#:app{:a 1, :_/b 2, :x/c 3}'), { 'app/a': 1, b: 2, 'x/c': 3 });
    assert.deepEqual(parseEdn('#:app {:a 1}'), { 'app/a': 1 });
  });

  it('maps other maps to Map, vectors and lists to arrays, sets to Set', () => {
    assert.deepEqual(
      parseEdn('{"s" 1, 42 "n", [1 2] "v", nil "nil", :k 0}'),
      new Map<unknown, unknown>([
        ['s', 1],
        [42, 'n'],
        [[1, 2], 'v'],
        [null, 'nil'],
        [new EdnKeyword('k'), 0],
      ]),
    );
    assert.deepEqual(parseEdn('[1 (2 3) #{4}]'), [1, [2, 3], new Set([4])]);
  });

  it('reads integers as numbers when safe and as bigint beyond or with N', () => {
    assert.deepEqual(parseEdn('[0 -7 9007199254740991 9007199254740992 1N -9223372036854775808]'), [
      0,
      -7,
      9007199254740991,
      9007199254740992n,
      1n,
      -9223372036854775808n,
    ]);
    assert.deepEqual(parseEdn('[0x1F 017 2r101 +5]'), [31, 15, 5, 5]);
    refusedRead('08', /invalid number/);
  });

  it('reads doubles, -0.0, ##Inf, ##-Inf and ##NaN as numbers', () => {
    const [a, b, c, d, e, f, g] = parseEdn('[3.14 1.0E100 -0.0 ##Inf ##-Inf ##NaN 1.]') as number[];
    assert.deepEqual([a, b, d, e, g], [3.14, 1e100, Infinity, -Infinity, 1]);
    assert.ok(Object.is(c, -0));
    assert.ok(Number.isNaN(f));
  });

  it('reads ratios (reduced; whole ones are integers) and M decimals', () => {
    assert.deepEqual(parseEdn('[1/3 2/4 4/2 1.50M 1e3M]'), [
      new EdnRatio(1n, 3n),
      new EdnRatio(1n, 2n),
      2,
      new EdnDecimal('1.50'),
      new EdnDecimal('1E+3'),
    ]);
    refusedRead('1/0', /zero denominator/);
  });

  it('reads every string escape, raw control characters and non-ASCII text', () => {
    assert.equal(
      parseEdn('"q\\" b\\\\ n\\n t\\t r\\r f\\f b\\b u\\u00e9 o\\101\\0 raw\u0001 ✓ 😀"'),
      'q" b\\ n\n t\t r\r f\f b\b ué oA\0 raw\u0001 ✓ 😀',
    );
    refusedRead('"\\x"', /unsupported string escape/);
    refusedRead('"abc', /closing quote/);
    refusedRead('"\\400"', /octal/);
  });

  it('reads keywords, symbols, characters, #inst and #uuid as their classes', () => {
    assert.deepEqual(
      parseEdn(
        '[:k :ns/k foo a.b/c / \\x \\space \\newline \\u00e9 \\o101 #inst "2023-11-14T22:13:20.123-00:00" #uuid "0F8FAD5B-D9CB-469F-A165-70867728950E"]',
      ),
      [
        new EdnKeyword('k'),
        new EdnKeyword('ns/k'),
        new EdnSymbol('foo'),
        new EdnSymbol('a.b/c'),
        new EdnSymbol('/'),
        new EdnChar('x'),
        new EdnChar(' '),
        new EdnChar('\n'),
        new EdnChar('é'),
        new EdnChar('A'),
        new EdnInst('2023-11-14T22:13:20.123-00:00'),
        new EdnUuid('0f8fad5b-d9cb-469f-a165-70867728950e'),
      ],
    );
    assert.equal(
      new EdnInst('2023-11-14T22:13:20.123-00:00').toDate().toISOString(),
      '2023-11-14T22:13:20.123Z',
    );
    assert.equal(
      new EdnInst('2023-11-15T07:13:20+09:00').toDate().toISOString(),
      '2023-11-14T22:13:20.000Z',
    );
    refusedRead('#inst "2023-02-30"', /invalid #inst/);
    refusedRead('#uuid "nope"', /invalid #uuid/);
    refusedRead('\\😀', /unsupported character/);
  });

  it('reads one form like read-string: comments, commas and #_ are whitespace, the rest is ignored', () => {
    assert.deepEqual(parseEdn('; note\n{:a 1,,, #_ :b #_ 2 :c #_#_ 3 4 5} trailing ]]]'), {
      a: 1,
      c: 5,
    });
    assert.equal(parseEdn(''), null);
    assert.equal(parseEdn('  #_ 1 '), null);
  });

  it('refuses tags other than #inst and #uuid, never calling anything (C-18)', () => {
    refusedRead('#foo 1', /unknown tag/);
    refusedRead('{:a #js {}}', /unknown tag/);
    refusedRead('#=(java.lang.System/exit 0)', /unknown tag/);
    refusedRead('^:meta {}', /metadata/);
  });

  it('refuses syntax errors, duplicate keys and set elements, odd maps', () => {
    refusedRead('{:a 1 :a 2}', /duplicate map key/);
    refusedRead('#{1 1}', /duplicate set element/);
    refusedRead('{:a}', /odd number/);
    refusedRead('[1 2', /ends before/);
    refusedRead(']', /unmatched/);
    refusedRead('::auto', /invalid keyword/);
  });

  it('refuses deep nesting and huge input without overflowing the stack', () => {
    refusedRead('['.repeat(65) + ']'.repeat(65), /deeper than 64/);
    let nested: unknown = parseEdn('['.repeat(64) + ']'.repeat(64));
    let depth = 0;
    for (; Array.isArray(nested); depth++) nested = (nested as unknown[])[0];
    assert.equal(depth, 64, '64 levels are read');
    refusedRead('['.repeat(100_000), /longer than|deeper/);
    refusedRead(`"${'x'.repeat(100_000)}"`, /longer than 100000/);
    assert.equal(parseEdn(`"${'x'.repeat(10)}"`, { maxLength: 12 }), 'x'.repeat(10));
  });

  it('C-13: drops __proto__, constructor and prototype keys', () => {
    const value = parseEdn('{:__proto__ {:admin true}, :ok 1, :n {:constructor {:prototype 1}}}');
    assert.deepEqual(Object.keys(value as object), ['ok', 'n']);
    assert.deepEqual((value as { n: object }).n, {});
    assert.equal(({} as Record<string, unknown>).admin, undefined);
  });
});

describe('stringifyEdn', () => {
  it('writes as pr-str does: ", " between map entries, spaces elsewhere', () => {
    assert.equal(
      stringifyEdn({ user: 'bob', _flash: { type: new EdnKeyword('success'), msg: 'Saved' } }),
      '{:user "bob", :_flash {:type :success, :msg "Saved"}}',
    );
    assert.equal(stringifyEdn([1, [2], new Set(['a'])]), '[1 [2] #{"a"}]');
    assert.equal(
      stringifyEdn(
        new Map<unknown, unknown>([
          ['s', 1],
          [null, 2],
        ]),
      ),
      '{"s" 1, nil 2}',
    );
  });

  it('escapes only what pr-str escapes, and lone surrogates', () => {
    assert.equal(
      stringifyEdn('q" b\\ n\n t\t r\r f\f b\b \u0001\u007f é😀 \ud800'),
      '"q\\" b\\\\ n\\n t\\t r\\r f\\f b\\b \u0001\u007f é😀 \\uD800"',
    );
  });

  it('writes numbers as Java does, bigints with N where a plain integer would not read back', () => {
    assert.deepEqual(
      [0.1, 2.5, 1e7, 9999999.5, 1e100, 1e-7, 0.001, 1e-4, -0, Infinity, -Infinity, NaN, 1e21].map(
        javaDouble,
      ),
      [
        '0.1',
        '2.5',
        '1.0E7',
        '9999999.5',
        '1.0E100',
        '1.0E-7',
        '0.001',
        '1.0E-4',
        '-0.0',
        '##Inf',
        '##-Inf',
        '##NaN',
        '1.0E21',
      ],
    );
    assert.equal(stringifyEdn([2, 2.5, -0, 2 ** 60]), '[2 2.5 -0.0 1.152921504606847E18]');
    assert.equal(
      stringifyEdn([1n, 2n ** 62n, 2n ** 63n, -(2n ** 63n)]),
      '[1N 4611686018427387904 9223372036854775808N -9223372036854775808]',
    );
  });

  it('writes the Edn* classes as the EDN they stand for', () => {
    assert.equal(
      stringifyEdn([
        new EdnKeyword('a.b/c'),
        new EdnSymbol('foo'),
        new EdnChar(' '),
        new EdnChar('x'),
        new EdnChar('\u0001'),
        new EdnRatio(2n, -6n),
        new EdnDecimal('1.50'),
        EdnInst.fromDate(new Date(Date.UTC(2023, 10, 14, 22, 13, 20, 123))),
        new EdnUuid('0F8FAD5B-D9CB-469F-A165-70867728950E'),
      ]),
      '[:a.b/c foo \\space \\x \\u0001 -1/3 1.50M #inst "2023-11-14T22:13:20.123-00:00" #uuid "0f8fad5b-d9cb-469f-a165-70867728950e"]',
    );
  });

  it('C-14: refuses what would not read back equal, naming where it is', () => {
    refusedWrite([1, undefined], /at \[1\] is undefined/);
    assert.equal(
      stringifyEdn({ a: 1, b: undefined }),
      '{:a 1}',
      'an undefined property is dropped, as JSON does',
    );
    refusedWrite({ f: () => 1 }, /a function/);
    refusedWrite({ d: new Date() }, /a Date \(write EdnInst\.fromDate/);
    refusedWrite({ m: new Map() }, /Map whose keys are all keywords/);
    refusedWrite(new Map([[new EdnKeyword('a'), 1]]), /use a plain object/);
    refusedWrite({ 'has space': 1 }, /not a keyword name/);
    refusedWrite({ '1': 1 }, /not a keyword name/);
    refusedWrite(new Set([[1], [1]]), /duplicate set element/);
    refusedWrite(
      new Map<unknown, unknown>([
        [[1], 1],
        [[1], 2],
      ]),
      /duplicate key/,
    );
    refusedWrite({ x: new (class Point {})() }, /instance of Point/);
    refusedWrite({ s: Symbol('x') }, /a symbol/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    refusedWrite(cyclic, /a cycle/);
    refusedWrite(JSON.parse('['.repeat(65) + ']'.repeat(65)), /deeper than 64/);
    assert.throws(() => stringifyEdn({ x: NaN }, { nan: false }), /NaN/);
  });
});

describe('Edn values', () => {
  it('check their text when constructed', () => {
    for (const text of [
      'a',
      'a.b/c',
      'valid?',
      'anti-forgery-token',
      '-x',
      '.a',
      '+',
      '日本',
      '_flash',
    ])
      assert.ok(isEdnName(text), text);
    for (const text of [
      '',
      '1a',
      '-1',
      'a b',
      'a:',
      'a::b',
      'a/',
      '/a',
      'a/b/c',
      'a"',
      'a;',
      'a,b',
      'ns:/x',
    ])
      assert.ok(!isEdnName(text), text);
    assert.throws(() => new EdnSymbol('nil'), TypeError);
    assert.throws(() => new EdnChar('ab'), TypeError);
    assert.throws(() => new EdnChar('\ud800'), TypeError);
    assert.throws(() => new EdnRatio(4n, 2n), /whole number/);
    assert.throws(() => new EdnDecimal('1.2.3'), TypeError);
    assert.throws(() => EdnInst.fromDate(new Date(NaN)), TypeError);
    assert.equal(new EdnKeyword('a.b/c').namespace, 'a.b');
    assert.equal(new EdnKeyword('a.b/c').name, 'c');
    assert.equal(String(new EdnKeyword('x')), ':x');
  });
});

describe('ednToJson', () => {
  it('converts to plain JSON data as documented, one way', () => {
    const value = parseEdn(
      '{:role :admin, :sym a/b, :ch \\x, :big 9223372036854775807, :small 5N, :r 1/3, :d 1.50M, :inf ##Inf, :nan ##NaN, :z -0.0, :at #inst "2023-11-14T22:13:20.123-00:00", :id #uuid "0f8fad5b-d9cb-469f-a165-70867728950e", :set #{1}, :m {"s" 1, 42 2, [1 2] 3, nil 4, :k 5, "__proto__" 6}}',
    );
    assert.deepEqual(ednToJson(value), {
      role: 'admin',
      sym: 'a/b',
      ch: 'x',
      big: '9223372036854775807',
      small: 5,
      r: '1/3',
      d: '1.50',
      inf: null,
      nan: null,
      z: 0,
      at: '2023-11-14T22:13:20.123-00:00',
      id: '0f8fad5b-d9cb-469f-a165-70867728950e',
      set: [1],
      m: { s: 1, '42': 2, '[1 2]': 3, nil: 4, k: 5 },
    });
    assert.ok(Object.is((ednToJson(value) as { z: number }).z, 0));
  });
});
