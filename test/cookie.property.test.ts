import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_COOKIE_PAIRS, cookieValues, parseCookie } from '../src/cookies/parse.ts';
import { serializeCookie } from '../src/cookies/serialize.ts';
import { SessionkitError } from '../src/core/errors.ts';
import type { CookieAttrs } from '../src/core/types.ts';

// ---------------------------------------------------------------------------------------------
// Generators

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

/** Strings made of the characters the parser cares about, so edge cases come up often. */
const cookieish = fc.string({
  unit: fc.constantFrom(
    'a',
    'b',
    'sid',
    '=',
    ';',
    '; ',
    ' ',
    '\t',
    '"',
    '%',
    '%41',
    '%C3%A9',
    '%E0%A4',
    ',',
    '\\',
    '\x00',
    '\x01',
    '\x7f',
    '\u00a0',
    'é',
    '__proto__',
    'constructor',
  ),
  maxLength: 40,
});

/** Every kind of string fast-check can make. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: codeUnit, maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  cookieish,
);

/** RFC 7230 tokens: every valid cookie name. */
const tokenName = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,24}$/);

// ---------------------------------------------------------------------------------------------
// The RFC 6265bis §4.1.1 server grammar, as written with "; " separators.

const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const COOKIE_VALUE = '[\\x21\\x23-\\x2B\\x2D-\\x3A\\x3C-\\x5B\\x5D-\\x7E]*';
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const DOMAIN_VALUE = `\\.?${LABEL}(?:\\.${LABEL})*`;
const PATH_VALUE = '[\\x20-\\x3A\\x3C-\\x7E]*';
const IMF_FIXDATE =
  '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d{2}:\\d{2}:\\d{2} GMT';
const COOKIE_AV = [
  `Expires=${IMF_FIXDATE}`,
  'Max-Age=\\d+',
  `Domain=${DOMAIN_VALUE}`,
  `Path=${PATH_VALUE}`,
  'Secure',
  'HttpOnly',
  'SameSite=(?:Strict|Lax|None)',
  'Partitioned',
  'Priority=(?:Low|Medium|High)',
].join('|');
const SET_COOKIE_STRING = new RegExp(`^${TOKEN}=${COOKIE_VALUE}(?:; (?:${COOKIE_AV}))*$`);

function assertSetCookieString(header: string): void {
  assert.match(header, SET_COOKIE_STRING);
  const names = header
    .split('; ')
    .slice(1)
    .map((attribute) => attribute.split('=')[0]);
  assert.equal(new Set(names).size, names.length, `an attribute repeats in ${header}`);
}

/** True when `s` holds an unpaired surrogate (in "u" mode a pair is one code point). */
function hasLoneSurrogate(s: string): boolean {
  return /[\ud800-\udfff]/u.test(s);
}

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

// ---------------------------------------------------------------------------------------------

describe('parseCookie (properties)', () => {
  it('never throws on any string, and returns string values under non-empty names', () => {
    fc.assert(
      fc.property(anyString, (header) => {
        const cookies = parseCookie(header);
        assert.equal(Object.prototype.isPrototypeOf.call(Object.prototype, cookies), false);
        const names = Object.keys(cookies);
        assert.ok(names.length <= MAX_COOKIE_PAIRS);
        for (const name of names) {
          assert.ok(name.length > 0 && !name.includes(';') && !name.includes('='));
          assert.equal(typeof cookies[name], 'string');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arrays of strings, reading them as one header joined with "; "', () => {
    fc.assert(
      fc.property(fc.array(anyString, { maxLength: 5 }), (lines) => {
        const cookies = parseCookie(lines);
        assert.deepEqual({ ...cookies }, { ...parseCookie(lines.join('; ')) });
      }),
    );
  });

  it('keeps the first value cookieValues reports, decoded', () => {
    fc.assert(
      fc.property(cookieish, fc.constantFrom('a', 'b', 'sid', '__proto__'), (header, name) => {
        const first = cookieValues(header, name)[0];
        const parsed = parseCookie(header)[name];
        if (first === undefined) {
          assert.equal(parsed, undefined);
        } else if (first.includes('%')) {
          let decoded = first;
          try {
            decoded = decodeURIComponent(first);
          } catch {
            // Malformed escapes stay raw.
          }
          assert.equal(parsed, decoded);
        } else {
          assert.equal(parsed, first);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes every value exactly as decodeURIComponent, or keeps it raw when that throws', () => {
    // Values mixing text runs of every length with ASCII, UTF-8, lower-case and malformed
    // escapes, so that both the sparse-escape decoder and its fallback are exercised.
    const text = fc.string({
      unit: fc.constantFrom('a', 'Z', '0', '+', '&', '=', '(', '.', 'é', '\u0100', '\ud800', '\t'),
      maxLength: 24,
    });
    const escape = fc.oneof(
      fc.integer({ min: 0, max: 0x7f }).map((byte) => `%${byte.toString(16).padStart(2, '0')}`),
      fc.integer({ min: 0, max: 0x7f }).map((byte) => `%${byte.toString(16).toUpperCase()}`),
      fc.constantFrom('%C3%A9', '%F0%9F%8D%AA', '%E0%A4', '%80', '%FF', '%', '%4', '%zz', '%u0041'),
    );
    const value = fc
      .array(fc.tuple(text, escape), { maxLength: 12 })
      .chain((parts) => text.map((last) => parts.flat().join('') + last))
      .filter((v) => v.trim() === v && !v.startsWith('"'));
    fc.assert(
      fc.property(value, (raw) => {
        let expected = raw;
        try {
          expected = decodeURIComponent(raw);
        } catch {
          // P-08: malformed escapes keep the value raw.
        }
        assert.equal(parseCookie(`x=1; a=${raw}; b=%41`)['a'], expected);
        assert.equal(parseCookie(`x=1; a=${raw}; b=%41`)['b'], 'A');
      }),
      { numRuns: 3000 },
    );
  });

  it('never touches Object.prototype', () => {
    fc.assert(
      fc.property(cookieish, (header) => {
        parseCookie(header);
        assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTOTYPE_NAMES);
      }),
    );
  });
});

describe('serializeCookie (properties)', () => {
  it('round-trips: parseCookie(serializeCookie(name, value)) gives the value back', () => {
    fc.assert(
      fc.property(tokenName, anyString, (name, value) => {
        let header: string;
        try {
          header = serializeCookie(name, value);
        } catch (error) {
          assert.ok(error instanceof SessionkitError);
          assert.ok(hasLoneSurrogate(value), 'only a lone surrogate can fail to encode');
          assert.equal(error.code, 'invalid_cookie');
          return;
        }
        assert.equal(parseCookie(header)[name], value);
        assert.deepEqual(cookieValues(header, name).map(decodeURIComponent), [value]);
      }),
      { numRuns: 2000 },
    );
  });

  it('either writes a valid set-cookie-string or throws a SessionkitError', () => {
    const now = Date.now();
    /** Mostly `valid`, sometimes anything at all. */
    const mostly = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<unknown> = anyString) =>
      fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: invalid, weight: 1 });
    const attributes = fc.record(
      {
        domain: mostly(fc.domain()),
        path: mostly(fc.oneof(fc.webPath(), fc.constant('/'))),
        maxAge: mostly(
          fc.integer({ min: 0, max: 34_560_000 }),
          fc.oneof(fc.integer(), fc.double(), fc.constant(Number.NaN)),
        ),
        expires: fc.date({
          min: new Date(-20_000_000_000_000),
          max: new Date(now + 2 * 34_560_000_000),
        }),
        secure: mostly(fc.constant(true), fc.boolean()),
        httpOnly: fc.boolean(),
        partitioned: fc.boolean(),
        sameSite: mostly(fc.constantFrom('strict', 'Lax', 'NONE', 'none')),
        priority: mostly(fc.constantFrom('low', 'Medium', 'HIGH')),
      },
      { requiredKeys: [] },
    );
    const name = mostly(fc.oneof(tokenName, fc.constantFrom('__Host-sid', '__secure-sid')));
    let written = 0;
    fc.assert(
      fc.property(name, anyString, attributes, (cookieName, value, options) => {
        let header: string;
        try {
          header = serializeCookie(cookieName as string, value, options as CookieAttrs);
        } catch (error) {
          assert.ok(error instanceof SessionkitError, String(error));
          assert.ok(error.code === 'invalid_cookie' || error.code === 'cookie_too_large');
          return;
        }
        assertSetCookieString(header);
        written++;
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: a fair share of the inputs was valid and checked against the grammar.
    assert.ok(written > 300, `only ${written} headers written`);
  });

  it('accepts every consistent set of valid attributes', () => {
    const valid = fc.record(
      {
        domain: fc.domain(),
        // RFC 3986 paths may hold ";", which a cookie Path may not.
        path: fc
          .webPath()
          .filter((path) => !path.includes(';'))
          .map((path) => (path.startsWith('/') ? path : '/' + path)),
        maxAge: fc.integer({ min: 0, max: 34_560_000 }),
        expires: fc.date({
          min: new Date(0),
          max: new Date(Date.now() + 300 * 86_400_000),
          noInvalidDate: true,
        }),
        httpOnly: fc.boolean(),
        sameSite: fc.constantFrom('strict', 'lax', 'none', 'Strict', 'LAX'),
        partitioned: fc.boolean(),
        priority: fc.constantFrom('low', 'medium', 'high', 'HIGH'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(tokenName, fc.base64String({ maxLength: 200 }), valid, (name, value, options) => {
        fc.pre(!/^__(secure|host)-/i.test(name));
        const header = serializeCookie(name, value, {
          ...options,
          secure: true,
        } as CookieAttrs);
        assertSetCookieString(header);
      }),
    );
  });
});

describe('parseCookie on adversarial headers (linear: 100 kB inputs, exact results)', () => {
  const size = 100_000;

  it('reads one 100 kB value', () => {
    const value = 'x'.repeat(size);
    assert.equal(parseCookie(`a=${value}`)['a'], value);
    assert.deepEqual(cookieValues(`a=${value}`, 'a'), [value]);
  });

  it('trims 100 kB of whitespace around a name and a value', () => {
    const blanks = ' \t'.repeat(size / 2);
    assert.deepEqual({ ...parseCookie(`${blanks}a${blanks}=${blanks}1${blanks}`) }, { a: '1' });
  });

  it('skips 100 kB of segments without "=" up to the pair cap', () => {
    assert.deepEqual({ ...parseCookie('a;'.repeat(size / 2) + 'b=1') }, {});
    assert.deepEqual({ ...parseCookie(';'.repeat(size) + 'b=1') }, {});
    assert.deepEqual({ ...parseCookie('a'.repeat(size) + '; b=1') }, { b: '1' });
    assert.deepEqual({ ...parseCookie('a'.repeat(size)) }, {});
  });

  it('ignores 100 kB of "=" and of empty names', () => {
    assert.deepEqual({ ...parseCookie('='.repeat(size)) }, {});
    assert.deepEqual({ ...parseCookie('=1;'.repeat(33_000) + 'b=1') }, {});
  });

  it('keeps the first of 14,000 duplicates and reports every candidate, the last one too', () => {
    const header = 'sid=1; '.repeat(14_000) + 'sid=2';
    assert.deepEqual({ ...parseCookie(header) }, { sid: '1' });
    const values = cookieValues(header, 'sid');
    assert.equal(values.length, 14_001);
    assert.equal(values.at(-1), '2');
  });

  it('keeps 100 kB of bad percent-encoding raw and strips one pair of 100 kB of quotes', () => {
    const percents = '%'.repeat(size);
    assert.equal(parseCookie(`a=${percents}`)['a'], percents);
    const quotes = '"'.repeat(size);
    assert.equal(parseCookie(`a=${quotes}`)['a'], quotes.slice(2));
  });

  it('drops a 100 kB pair whose last character is a control character', () => {
    assert.deepEqual({ ...parseCookie(`a=1; b=${'y'.repeat(size)}\x00`) }, { a: '1' });
    assert.deepEqual({ ...parseCookie(`a=1; b=${'\x01'.repeat(size)}; c=2`) }, { a: '1', c: '2' });
  });

  it('parses a 1 MB header with a control character at its end without throwing', () => {
    const header = 'a=1; b=' + 'z'.repeat(1_000_000) + '\x7f';
    assert.deepEqual({ ...parseCookie(header) }, { a: '1' });
  });
});
