import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_COOKIE_PAIRS, cookieValues, parseCookie } from './parse.ts';

/** Object.entries of a parse result as a plain object, for deepEqual. */
function plain(cookies: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(cookies));
}

/** A GitHub-style Cookie header: ids, flags, a time zone and a percent-encoded JSON value. */
const GITHUB_LIKE_HEADER =
  '_octo=GH1.1.1840952431.1712345678; preferred_color_mode=dark; tz=Europe%2FBerlin; ' +
  '_device_id=0c9b2f6e4a8d1e7f3b5c2a9d8e7f6a5b; ' +
  'user_session=Yk3nq2Jx_Vf9sLw0pR7tZc4mH8aQ1eUoIi6bD5gN2yKj; ' +
  '__Host-user_session_same_site=Yk3nq2Jx_Vf9sLw0pR7tZc4mH8aQ1eUoIi6bD5gN2yKj; ' +
  'logged_in=yes; dotcom_user=octocat; ' +
  'color_mode=%7B%22color_mode%22%3A%22auto%22%2C%22light_theme%22%3A%7B%22name%22%3A%22light%22%2C%22color_mode%22%3A%22light%22%7D%2C%22dark_theme%22%3A%7B%22name%22%3A%22dark%22%2C%22color_mode%22%3A%22dark%22%7D%7D';

describe('parseCookie', () => {
  it('parses name=value pairs separated by "; "', () => {
    assert.deepEqual(plain(parseCookie('a=1; b=2; c=three')), { a: '1', b: '2', c: 'three' });
  });

  it('parses a realistic multi-cookie header from a real site', () => {
    const cookies = parseCookie(GITHUB_LIKE_HEADER);
    assert.equal(Object.keys(cookies).length, 9);
    assert.equal(cookies._octo, 'GH1.1.1840952431.1712345678');
    assert.equal(cookies.tz, 'Europe/Berlin');
    assert.equal(cookies.logged_in, 'yes');
    assert.equal(cookies['__Host-user_session_same_site'], cookies.user_session);
    assert.deepEqual(JSON.parse(cookies.color_mode!), {
      color_mode: 'auto',
      light_theme: { name: 'light', color_mode: 'light' },
      dark_theme: { name: 'dark', color_mode: 'dark' },
    });
  });

  it('keeps "=" inside a value and does not decode names', () => {
    assert.deepEqual(plain(parseCookie('a=b=c; x%20y=1')), { a: 'b=c', 'x%20y': '1' });
  });

  it('percent-decodes values as UTF-8 only when they contain "%", leaving "+" alone', () => {
    assert.deepEqual(plain(parseCookie('a=%C3%A9t%C3%A9; b=1+2; c=%F0%9F%8D%AA')), {
      a: 'été',
      b: '1+2',
      c: '🍪',
    });
  });

  it('hands raw values to a decode function, dropping pairs it gives no string for', () => {
    const seen: string[] = [];
    const parsed = parseCookie('a=%41; b=" x "; c=drop; c=%ZZ', (value, name) => {
      seen.push(`${name}:${value}`);
      return value === 'drop' ? undefined : value;
    });
    assert.deepEqual({ ...parsed }, { a: '%41', b: ' x ', c: '%ZZ' });
    assert.deepEqual(seen, ['a:%41', 'b: x ', 'c:drop', 'c:%ZZ']);
  });

  it("reads a session value Ring form-encoded (%2B, %2F, %3D) back to Ring's base64", () => {
    // ring-cookie-vectors.json, "empty map (what delete-session writes)".
    const wire =
      'A13kkqfkibns1EZHy6o9TaDRJeEDaw0g0UJUTymOm40%3D--ue6tj2eyzM4K38ZZvhcJrkrZqqcXHsqyyjBi0AZMZ5A%3D';
    assert.equal(
      parseCookie(`ring-session=${wire}`)['ring-session'],
      'A13kkqfkibns1EZHy6o9TaDRJeEDaw0g0UJUTymOm40=--ue6tj2eyzM4K38ZZvhcJrkrZqqcXHsqyyjBi0AZMZ5A=',
    );
  });

  it('returns an object with no prototype chain to Object.prototype', () => {
    const cookies = parseCookie('a=1');
    assert.equal(Object.prototype.isPrototypeOf.call(Object.prototype, cookies), false);
    assert.equal(cookies instanceof Object, false);
    assert.equal(cookies.toString, undefined);
    assert.equal('constructor' in cookies, false);
    assert.deepEqual(Object.keys(cookies), ['a']);
  });

  it('treats several header lines as one header joined with "; "', () => {
    const lines = ['a=1; b=2', 'a=3; c=4', ''];
    assert.deepEqual(plain(parseCookie(lines)), { a: '1', b: '2', c: '4' });
    assert.deepEqual(plain(parseCookie(lines)), plain(parseCookie(lines.join('; '))));
  });

  it(`considers at most ${MAX_COOKIE_PAIRS} pairs`, () => {
    const header = Array.from({ length: 250 }, (_, i) => `c${i}=${i}`).join('; ');
    const cookies = parseCookie(header);
    assert.equal(Object.keys(cookies).length, MAX_COOKIE_PAIRS);
    assert.equal(cookies.c199, '199');
    assert.equal(cookies.c200, undefined);
  });

  it('never throws on values that are not headers', () => {
    for (const header of [undefined, null, 42, {}, [1, null, 'a=1']] as unknown[]) {
      assert.doesNotThrow(() => parseCookie(header as string));
    }
    assert.deepEqual(plain(parseCookie([1, null, 'a=1'] as unknown as string[])), { a: '1' });
  });

  it('P-01: keeps the first of duplicate names, as a string, never an array', () => {
    assert.deepEqual(plain(parseCookie('sid=A; other=1; sid=B')), { sid: 'A', other: '1' });
  });

  it('P-02: trims only SP and HTAB around names and values', () => {
    assert.deepEqual(plain(parseCookie('  sid = A ;\tb=1 ')), { sid: 'A', b: '1' });
    // A no-break space is not whitespace here, so it cannot shadow "sid" (hono cc067c85).
    assert.deepEqual(plain(parseCookie('\u00a0sid=evil; sid=A')), {
      '\u00a0sid': 'evil',
      sid: 'A',
    });
    assert.equal(parseCookie('a= x\u00a0')['a'], 'x\u00a0');
  });

  it('P-04: ignores pairs without "="', () => {
    assert.deepEqual(plain(parseCookie('foo; sid=A; bar')), { sid: 'A' });
  });

  it('P-06: splits on ";" only, gives $Version and backslashes no meaning', () => {
    assert.deepEqual(plain(parseCookie('$Version=1; sid="abc\\";x=1"; y=2')), {
      $Version: '1',
      sid: 'abc\\',
      x: '1"',
      y: '2',
    });
    // "," is not a separator either.
    assert.deepEqual(plain(parseCookie('a=1, b=2')), { a: '1, b=2' });
  });

  it('P-06: strips exactly one pair of surrounding double quotes', () => {
    assert.deepEqual(
      plain(parseCookie('a="v1.abc"; b=""; c="x; d=x"; e=""x""; f="; g=" q ";h="%C3%A9"')),
      { a: 'v1.abc', b: '', c: '"x', d: 'x"', e: '"x"', f: '"', g: ' q ', h: 'é' },
    );
  });

  it('P-08: keeps values with invalid percent-encoding raw, and the others unaffected', () => {
    assert.deepEqual(plain(parseCookie('a=%E0%A4%A; b=%1; c=%; d=%zz; sid=A')), {
      a: '%E0%A4%A',
      b: '%1',
      c: '%',
      d: '%zz',
      sid: 'A',
    });
  });

  it('decodes a consent cookie of sparse ASCII escapes exactly as decodeURIComponent', () => {
    const consent =
      'isGpcEnabled=0&datestamp=Tue+Apr+09+2024+10%3A15%3A30+GMT%2B0200+(Central+European+Summer+Time)&groups=C0001%3A1%2cC0002%3A0';
    assert.equal(
      parseCookie(`OptanonConsent=${consent}; a=1`)['OptanonConsent'],
      decodeURIComponent(consent),
    );
    assert.equal(
      parseCookie(`a=${'x'.repeat(20)}%7f${'y'.repeat(20)}`)['a'],
      `${'x'.repeat(20)}\x7f${'y'.repeat(20)}`,
    );
  });

  it('decodes UTF-8 and dense escapes after sparse ASCII ones, as decodeURIComponent does', () => {
    const tail = 'x'.repeat(16);
    assert.equal(parseCookie(`a=${tail}%2C${tail}%C3%A9${tail}`)['a'], `${tail},${tail}é${tail}`);
    assert.equal(parseCookie('a=%7B%22a%22%3A%22b%22%7D')['a'], '{"a":"b"}');
    assert.equal(parseCookie(`a=é${tail}%41${tail}`)['a'], `é${tail}A${tail}`);
  });

  it('P-08: keeps raw a value whose malformed escape follows valid sparse ones', () => {
    const tail = 'x'.repeat(16);
    for (const bad of ['%zz', '%4', '%', '%E0%A4%A', '%C3']) {
      const value = `${tail}%2C${tail}${bad}`;
      assert.deepEqual(plain(parseCookie(`a=${value}; b=%41`)), { a: value, b: 'A' }, bad);
    }
  });

  it('decodes only inside each value, whatever escapes lie in the pairs around it', () => {
    assert.deepEqual(plain(parseCookie('a=x%; b=%41%42; c=y; d=%2')), {
      a: 'x%',
      b: 'AB',
      c: 'y',
      d: '%2',
    });
    assert.deepEqual(plain(parseCookie('a="%41"; b=%3B%3D; c=z')), { a: 'A', b: ';=', c: 'z' });
  });

  it('P-09: ignores a pair holding a control character and parses the others', () => {
    for (const ctl of ['\x00', '\x01', '\x0b', '\x1f', '\x7f', '\r', '\n']) {
      assert.deepEqual(plain(parseCookie(`a=x${ctl}y; sid=A; b${ctl}=1; c=2 ${ctl}`)), {
        sid: 'A',
      });
    }
    // HTAB is whitespace, not a CTL to reject.
    assert.equal(parseCookie('a=x\ty')['a'], 'x\ty');
  });

  it('P-09: checks each pair exactly when the header also holds HTAB or non-ASCII text', () => {
    assert.deepEqual(plain(parseCookie('a=é\x01; b=é; c=x\ty; d=\x7f\u0100; e=\u0100')), {
      b: 'é',
      c: 'x\ty',
      e: '\u0100',
    });
  });

  it('P-09: lets a later duplicate win when the first one held a control character', () => {
    assert.equal(parseCookie('sid=\x00bad; sid=good')['sid'], 'good');
  });

  it('P-10: treats prototype names as ordinary cookies and leaves Object.prototype alone', () => {
    const header = '__proto__=x; constructor=y; toString=z; hasOwnProperty=w; sid=A';
    const cookies = parseCookie(header);
    assert.deepEqual(Object.keys(cookies), [
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'sid',
    ]);
    assert.equal(cookies['__proto__'], 'x');
    assert.equal(cookies['constructor'], 'y');
    assert.equal(cookies['toString'], 'z');
    assert.equal(cookies['hasOwnProperty'], 'w');
    assert.equal(cookies['sid'], 'A');
    assert.equal(Object.hasOwn(cookies, 'hasOwnProperty'), true);
    assert.equal(Object.getOwnPropertyNames(Object.prototype).includes('sid'), false);
    assert.equal(({} as Record<string, unknown>)['sid'], undefined);
    assert.equal(typeof Object.prototype.toString, 'function');
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
  });

  it('P-10: reads an absent name as undefined, not as an inherited function', () => {
    const cookies = parseCookie('sid=A');
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      assert.equal(cookies[name], undefined, name);
    }
  });

  it('P-12: returns an empty object for empty or degenerate headers', () => {
    for (const header of ['', ' ', ';;;', '=', ' = ', '=value; =', ';=;', 'a', undefined, []]) {
      assert.deepEqual(Object.keys(parseCookie(header)), [], JSON.stringify(header));
    }
  });

  it('P-13: compares names case-sensitively', () => {
    const cookies = parseCookie('__HOST-sid=A; __host-sid=B');
    assert.equal(cookies['__Host-sid'], undefined);
    assert.equal(cookies['__HOST-sid'], 'A');
    assert.equal(cookies['__host-sid'], 'B');
  });

  it("P-15: parses a header just below Node's 16 KiB header limit", () => {
    const header = Array.from({ length: 150 }, (_, i) => `c${i}=${'x'.repeat(95)}`).join('; ');
    assert.ok(header.length > 15_000 && header.length < 16_384);
    const cookies = parseCookie(header);
    assert.equal(Object.keys(cookies).length, 150);
    assert.equal(cookies.c149, 'x'.repeat(95));
  });

  it('P-16: keeps an empty value as "" for the session layer to treat as absent', () => {
    assert.deepEqual(plain(parseCookie('sid=')), { sid: '' });
    assert.deepEqual(plain(parseCookie('sid= ; a=1')), { sid: '', a: '1' });
  });
});

describe('cookieValues', () => {
  it('P-01: returns every candidate for the name, in header order', () => {
    assert.deepEqual(cookieValues('sid=A; other=1; sid=B; sid=C', 'sid'), ['A', 'B', 'C']);
  });

  it('returns raw values: never percent-decoded, but trimmed and unquoted', () => {
    assert.deepEqual(cookieValues('sid=abc%3D%3D; sid = "v1.x" ; sid=a+b', 'sid'), [
      'abc%3D%3D',
      'v1.x',
      'a+b',
    ]);
  });

  it('returns an empty array when the name is absent, even as a substring', () => {
    assert.deepEqual(cookieValues('a=1; b=2', 'sid'), []);
    assert.deepEqual(cookieValues('xsid=1; sid2=2; a=sid; sid; sid ', 'sid'), []);
    assert.deepEqual(cookieValues(undefined, 'sid'), []);
    assert.deepEqual(cookieValues('=1; sid=2', ''), []);
  });

  it('reads several header lines as one', () => {
    assert.deepEqual(cookieValues(['sid=A; a=1', 'sid=B'], 'sid'), ['A', 'B']);
  });

  it('P-09: skips candidates that hold a control character', () => {
    assert.deepEqual(cookieValues('sid=\x7fbad; sid=good', 'sid'), ['good']);
  });

  it('P-13: matches the name case-sensitively', () => {
    assert.deepEqual(cookieValues('__HOST-sid=A; __host-sid=B', '__Host-sid'), []);
  });

  it('P-16: includes empty values for the caller to skip', () => {
    assert.deepEqual(cookieValues('sid=; sid=B', 'sid'), ['', 'B']);
  });

  it(`P-01: scans the whole header, past the ${MAX_COOKIE_PAIRS} pairs parseCookie keeps`, () => {
    const header = Array.from({ length: 250 }, (_, i) => `c${i}=x`).join('; ') + '; sid=real';
    assert.deepEqual(cookieValues(header, 'sid'), ['real']);
    assert.equal(cookieValues(Array(250).fill('sid=x').join('; '), 'sid').length, 250);
  });
});
