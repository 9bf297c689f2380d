import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCookie } from './parse.ts';
import { MAX_AGE_LIMIT_SECONDS, MAX_COOKIE_BYTES, serializeCookie } from './serialize.ts';
import { SessionkitError } from '../core/errors.ts';
import type { SessionkitErrorCode } from '../core/errors.ts';
import type { CookieAttrs } from '../core/types.ts';

const DAY_MS = 86_400_000;

/** Asserts that `fn` throws a SessionkitError with `code` whose message matches `pattern`. */
function assertThrowsCode(fn: () => unknown, code: SessionkitErrorCode, pattern?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof SessionkitError, `expected a SessionkitError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

function invalidCookie(fn: () => unknown, option: string): void {
  assertThrowsCode(
    fn,
    'invalid_cookie',
    new RegExp(`^serializeCookie: option ${option} is invalid: got .+, expected .+`),
  );
}

/** The attribute names of a Set-Cookie value, in order. */
function attributeNames(header: string): string[] {
  return header
    .split('; ')
    .slice(1)
    .map((attribute) => attribute.split('=')[0]!);
}

describe('serializeCookie', () => {
  const inOneDay = (): Date => new Date(Date.now() + DAY_MS);

  it('writes name=value alone when there are no attributes', () => {
    assert.equal(serializeCookie('sid', 'abc'), 'sid=abc');
    assert.equal(serializeCookie('sid', ''), 'sid=');
  });

  it('writes every attribute once, in a fixed order, separated by "; "', () => {
    const expires = inOneDay();
    assert.equal(
      serializeCookie('id', 'v', {
        priority: 'high',
        partitioned: true,
        sameSite: 'none',
        httpOnly: true,
        secure: true,
        expires,
        maxAge: 3600,
        path: '/app',
        domain: 'example.com',
      }),
      `id=v; Domain=example.com; Path=/app; Max-Age=3600; Expires=${expires.toUTCString()}; ` +
        'Secure; HttpOnly; SameSite=None; Partitioned; Priority=High',
    );
  });

  it("writes the attributes of Ring's observed full header with Ring 1.15 punctuation", () => {
    // Ring: full=v; Path=/; Domain=localhost; Max-Age=3600; Expires=Wed, 02 Jan 2030 03:04:05 GMT;
    // Secure; HttpOnly; SameSite=Lax (attributes in its map's order; 2030 is past our cap).
    const expires = inOneDay();
    const header = serializeCookie('full', 'v', {
      path: '/',
      domain: 'localhost',
      maxAge: 3600,
      expires,
      secure: true,
      httpOnly: true,
      sameSite: 'lax',
    });
    assert.equal(
      header,
      `full=v; Domain=localhost; Path=/; Max-Age=3600; Expires=${expires.toUTCString()}; Secure; HttpOnly; SameSite=Lax`,
    );
    assert.deepEqual(attributeNames(header).sort(), [
      'Domain',
      'Expires',
      'HttpOnly',
      'Max-Age',
      'Path',
      'SameSite',
      'Secure',
    ]);
  });

  it("writes Kit's session cookie: Path=/; HttpOnly; Max-Age=86400; SameSite=Strict", () => {
    const sealed =
      'v1.k1.Xq3mVq9pL2wRt7YbN4cZ8f.J1hD6gA0eUJq2Lw9xZ3vB8nM4kT7rY1pC5sF0dG6hE2aW9uI3oQ';
    const header = serializeCookie('myapp', sealed, {
      path: '/',
      httpOnly: true,
      maxAge: 86_400,
      sameSite: 'strict',
    });
    assert.equal(header, `myapp=${sealed}; Path=/; Max-Age=86400; HttpOnly; SameSite=Strict`);
    assert.deepEqual(header.split('; ').slice(1).sort(), [
      'HttpOnly',
      'Max-Age=86400',
      'Path=/',
      'SameSite=Strict',
    ]);
  });

  it('omits false and undefined attributes', () => {
    assert.equal(
      serializeCookie('a', 'b', {
        secure: false,
        httpOnly: false,
        partitioned: false,
        domain: undefined,
        path: undefined,
        maxAge: undefined,
        expires: undefined,
        sameSite: undefined,
        priority: undefined,
      }),
      'a=b',
    );
  });

  it('ignores a value key, so a ResponseCookie can be passed as the attributes', () => {
    const cookie = { value: 'ignored', path: '/' };
    assert.equal(serializeCookie('a', 'b', cookie), 'a=b; Path=/');
  });

  it('S-19: refuses an unknown attribute key, naming it, never its value', () => {
    for (const [key, hint] of [
      ['max-age', 'maxAge'],
      ['http-only', 'httpOnly'],
      ['same-site', 'sameSite'],
      ['MaxAge', 'maxAge'],
      ['HttpOnly', 'httpOnly'],
      ['bogus', undefined],
    ] as const) {
      assert.throws(
        () => serializeCookie('a', 'b', { [key]: 'secret-value' }),
        (error: unknown) =>
          error instanceof SessionkitError &&
          error.code === 'invalid_cookie' &&
          error.message.includes(`option ${key} of cookie "a" is invalid: got a string`) &&
          (hint === undefined
            ? !error.message.includes('did you mean')
            : error.message.includes(`did you mean ${hint}?`)) &&
          !error.message.includes('secret-value'),
        key,
      );
    }
    // An unknown key is refused even when its value is undefined: it is still a typo.
    assert.throws(
      () => serializeCookie('a', 'b', { 'max-age': undefined } as CookieAttrs),
      /max-age/,
    );
  });

  it('leaves the attributes object unchanged', () => {
    const attributes: CookieAttrs = Object.freeze({ path: '/', sameSite: 'lax' });
    serializeCookie('a', 'b', attributes);
    assert.deepEqual(attributes, { path: '/', sameSite: 'lax' });
  });

  it('is read back by parseCookie', () => {
    const value = 'a b;c,"d\\é🍪%41';
    const header = serializeCookie('greeting', value, { path: '/', httpOnly: true });
    assert.equal(parseCookie(header.slice(0, header.indexOf(';')))['greeting'], value);
  });

  it('S-01: rejects names that are not RFC 7230 tokens', () => {
    for (const name of [
      'userName=<script>alert(1)</script>; Max-Age=2592000; a',
      'a=b',
      'a;b',
      'a b',
      'a\tb',
      '\u280a',
      'é',
      '',
      'a"b',
      'a,b',
      '(a)',
      'a/b',
      'a\\b',
      'a\x00',
      'a\x7f',
    ]) {
      invalidCookie(() => serializeCookie(name, 'v'), 'name');
    }
    invalidCookie(() => serializeCookie(42 as unknown as string, 'v'), 'name');
  });

  it('S-01: accepts every tchar in a name', () => {
    const name = "!#$%&'*+-.^_`|~09AZaz";
    assert.equal(serializeCookie(name, 'v'), `${name}=v`);
  });

  it('S-02: rejects CR/LF in a name before any header is written, without echoing them', () => {
    assert.throws(
      () => serializeCookie('legit\r\nX-Injected: evil', 'v'),
      (error: unknown) => {
        assert.ok(error instanceof SessionkitError);
        assert.equal(error.code, 'invalid_cookie');
        assert.doesNotMatch(error.message, /[\r\n]/);
        return true;
      },
    );
  });

  it('S-04: rejects domains that are not host names', () => {
    for (const domain of [
      'example.com; Path=/',
      'example.com\r\nevil',
      'my site.org',
      'domain..com',
      'sub.example.com\u0000',
      'example.com.',
      '.',
      '..example.com',
      '',
      '-example.com',
      'example-.com',
      'exa_mple.com',
      'bücher.example',
      'a'.repeat(64) + '.com',
    ]) {
      invalidCookie(() => serializeCookie('a', 'b', { domain }), 'domain');
    }
  });

  it('S-04: accepts host names, a leading dot and localhost', () => {
    for (const domain of [
      'example.com',
      '.example.com',
      'localhost',
      'sub.EXAMPLE.com',
      'xn--bcher-kva.example',
      '127.0.0.1',
      'a-b.c',
    ]) {
      assert.equal(serializeCookie('a', 'b', { domain }), `a=b; Domain=${domain}`);
    }
  });

  it('S-05: rejects unknown SameSite and Priority values', () => {
    for (const sameSite of ['Strict;evil', 'Strict\r\nevil', 'foo', '', ' lax', true, 1]) {
      invalidCookie(
        () => serializeCookie('a', 'b', { sameSite: sameSite as 'lax', secure: true }),
        'sameSite',
      );
    }
    for (const priority of ['High;evil', 'urgent', '', true]) {
      invalidCookie(() => serializeCookie('a', 'b', { priority: priority as 'high' }), 'priority');
    }
  });

  it('S-05: writes SameSite and Priority canonically whatever their case', () => {
    const cases: Array<[string, string]> = [
      ['strict', 'Strict'],
      ['STRICT', 'Strict'],
      ['Lax', 'Lax'],
      ['lAx', 'Lax'],
      ['none', 'None'],
      ['NONE', 'None'],
    ];
    for (const [given, written] of cases) {
      const header = serializeCookie('a', 'b', { sameSite: given as 'lax', secure: true });
      assert.ok(header.endsWith(`; SameSite=${written}`), header);
    }
    for (const [given, written] of [
      ['LOW', 'Low'],
      ['medium', 'Medium'],
      ['hIgH', 'High'],
    ] as const) {
      assert.equal(
        serializeCookie('a', 'b', { priority: given as 'low' }),
        `a=b; Priority=${written}`,
      );
    }
  });

  it('S-06: percent-encodes every character that is not a cookie-octet, and "%"', () => {
    assert.equal(serializeCookie('a', 'a b;c,"d\\é'), 'a=a%20b%3Bc%2C%22d%5C%C3%A9');
    assert.equal(serializeCookie('a', '100%'), 'a=100%25');
    assert.equal(serializeCookie('a', '\x00\x7f\t🍪'), 'a=%00%7F%09%F0%9F%8D%AA');
  });

  it('S-06: writes cookie-octets, such as base64url seals, as they are', () => {
    const octets = "!#$&'()*+-./0123456789:<=>?@ABCXYZ[]^_`abcxyz{|}~";
    assert.equal(serializeCookie('a', octets), `a=${octets}`);
  });

  it('S-06: writes what an encode function returns, raw, when it is a cookie-value', () => {
    const identity = (value: string): string => value;
    assert.equal(
      serializeCookie('a', 'U3Vw+/==%41', { path: '/' }, identity),
      'a=U3Vw+/==%41; Path=/',
    );
    assert.equal(serializeCookie('a', '"quoted"', undefined, identity), 'a="quoted"');
    assert.equal(
      serializeCookie('a', 'x', undefined, () => 'X'),
      'a=X',
    );
  });

  it('S-06: refuses an encode result that is not a cookie-value, without echoing it', () => {
    for (const wire of ['hello world', 'a;b', 'a,b', 'a"b', 'a\\b', 'é', 'a\r\nb', 42]) {
      assert.throws(
        () => serializeCookie('a', 'v', undefined, () => wire as string),
        (error: unknown) =>
          error instanceof SessionkitError &&
          error.code === 'invalid_cookie' &&
          /option encode is invalid/.test(error.message) &&
          (typeof wire !== 'string' || !error.message.includes(wire)),
        String(wire),
      );
    }
  });

  it('S-06: rejects a value with a lone surrogate, which has no UTF-8 form', () => {
    invalidCookie(() => serializeCookie('a', 'x\ud800y'), 'value');
    invalidCookie(() => serializeCookie('a', 'x\udc00'), 'value');
    invalidCookie(() => serializeCookie('a', 42 as unknown as string), 'value');
  });

  it('S-07: rejects a Max-Age that is not an integer from 0', () => {
    for (const maxAge of [NaN, Infinity, -Infinity, 3.14, 'buzz', '60', -5, -0.5, null]) {
      invalidCookie(() => serializeCookie('a', 'b', { maxAge: maxAge as number }), 'maxAge');
    }
    assert.equal(serializeCookie('a', '', { maxAge: 0 }), 'a=; Max-Age=0');
    assert.equal(serializeCookie('a', '', { maxAge: -0 }), 'a=; Max-Age=0');
  });

  it('S-08: writes Expires as IMF-fixdate and rejects an invalid Date', () => {
    assert.equal(
      serializeCookie('a', 'b', { expires: new Date(Date.UTC(2000, 11, 24, 10, 30, 59)) }),
      'a=b; Expires=Sun, 24 Dec 2000 10:30:59 GMT',
    );
    assert.equal(
      serializeCookie('a', '', { expires: new Date(0) }),
      'a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    );
    for (const expires of [
      new Date('invalid'),
      new Date(Date.UTC(1600, 11, 31)),
      'Wed, 02 Jan 2030 03:04:05 GMT',
      Date.now(),
    ]) {
      invalidCookie(() => serializeCookie('a', 'b', { expires: expires as Date }), 'expires');
    }
  });

  it('S-10: refuses lifetimes over 400 days instead of clamping them', () => {
    assert.equal(MAX_AGE_LIMIT_SECONDS, 400 * 86_400);
    assert.equal(
      serializeCookie('a', 'b', { maxAge: MAX_AGE_LIMIT_SECONDS }),
      `a=b; Max-Age=${MAX_AGE_LIMIT_SECONDS}`,
    );
    invalidCookie(() => serializeCookie('a', 'b', { maxAge: MAX_AGE_LIMIT_SECONDS + 1 }), 'maxAge');
    const inside = new Date(Date.now() + 399 * DAY_MS);
    assert.ok(serializeCookie('a', 'b', { expires: inside }).includes(inside.toUTCString()));
    invalidCookie(
      () => serializeCookie('a', 'b', { expires: new Date(Date.now() + 401 * DAY_MS) }),
      'expires',
    );
  });

  it('S-11: enforces the __Secure- prefix rules in any case', () => {
    for (const name of ['__Secure-sid', '__secure-sid', '__SECURE-sid']) {
      invalidCookie(() => serializeCookie(name, 'v'), 'secure');
      invalidCookie(() => serializeCookie(name, 'v', { path: '/', secure: false }), 'secure');
      assert.equal(
        serializeCookie(name, 'v', { secure: true, domain: 'example.com' }),
        `${name}=v; Domain=example.com; Secure`,
      );
    }
  });

  it('S-11: enforces the __Host- prefix rules in any case', () => {
    for (const name of ['__Host-sid', '__host-sid', '__HOST-sid', '__HoSt-sid']) {
      invalidCookie(() => serializeCookie(name, 'v', { path: '/' }), 'secure');
      invalidCookie(
        () => serializeCookie(name, 'v', { secure: true, path: '/', domain: 'example.com' }),
        'domain',
      );
      invalidCookie(() => serializeCookie(name, 'v', { secure: true, path: '/x' }), 'path');
      invalidCookie(() => serializeCookie(name, 'v', { secure: true }), 'path');
      assert.equal(
        serializeCookie(name, 'v', { secure: true, path: '/' }),
        `${name}=v; Path=/; Secure`,
      );
    }
  });

  it('S-12: rejects SameSite=None without Secure', () => {
    invalidCookie(() => serializeCookie('a', 'b', { sameSite: 'none' }), 'sameSite');
    invalidCookie(() => serializeCookie('a', 'b', { sameSite: 'None', secure: false }), 'sameSite');
    assert.equal(
      serializeCookie('a', 'b', { sameSite: 'none', secure: true }),
      'a=b; Secure; SameSite=None',
    );
  });

  it('S-13: rejects Partitioned without Secure', () => {
    invalidCookie(() => serializeCookie('a', 'b', { partitioned: true }), 'partitioned');
    assert.equal(
      serializeCookie('a', 'b', { partitioned: true, secure: true }),
      'a=b; Secure; Partitioned',
    );
  });

  it('S-16: never writes an attribute twice', () => {
    const header = serializeCookie('__Host-a', 'b', {
      path: '/',
      maxAge: 60,
      expires: inOneDay(),
      secure: true,
      httpOnly: true,
      sameSite: 'none',
      partitioned: true,
      priority: 'low',
    });
    const names = attributeNames(header);
    assert.equal(new Set(names).size, names.length);
    assert.equal(names.length, 8);
  });

  it('rejects flags that are not booleans', () => {
    invalidCookie(
      () => serializeCookie('a', 'b', { secure: 'yes' as unknown as boolean }),
      'secure',
    );
    invalidCookie(
      () => serializeCookie('a', 'b', { httpOnly: 1 as unknown as boolean }),
      'httpOnly',
    );
    invalidCookie(
      () => serializeCookie('a', 'b', { partitioned: 'true' as unknown as boolean }),
      'partitioned',
    );
  });

  it('rejects a path with ";", a control character or non-ASCII, or not starting with "/"', () => {
    for (const path of ['/a;b', '/a\r\nb', '/\x00', '/\x7f', '/ü', '', 'app', '; Domain=evil']) {
      invalidCookie(() => serializeCookie('a', 'b', { path }), 'path');
    }
    assert.equal(serializeCookie('a', 'b', { path: '/a b/~c' }), 'a=b; Path=/a b/~c');
  });

  it('Z-01: throws cookie_too_large over 4096 bytes, naming the size, not the content', () => {
    const fits = 'v'.repeat(MAX_COOKIE_BYTES - 'sid='.length);
    assert.equal(serializeCookie('sid', fits).length, MAX_COOKIE_BYTES);
    assert.throws(
      () => serializeCookie('sid', fits + 'v'),
      (error: unknown) => {
        assert.ok(error instanceof SessionkitError);
        assert.equal(error.code, 'cookie_too_large');
        assert.match(error.message, /4097 bytes/);
        assert.doesNotMatch(error.message, /vvvv/);
        return true;
      },
    );
    // Measured after percent-encoding: 1000 "é" are 6000 bytes on the wire.
    assertThrowsCode(() => serializeCookie('sid', 'é'.repeat(1000)), 'cookie_too_large', /6004/);
  });

  it('Z-04: rejects a Path or Domain longer than 1024 bytes', () => {
    const path = '/' + 'p'.repeat(1023);
    assert.ok(serializeCookie('a', 'b', { path }).endsWith(path));
    invalidCookie(() => serializeCookie('a', 'b', { path: path + 'p' }), 'path');
    const label = 'd'.repeat(63);
    const domain = Array.from({ length: 17 }, () => label).join('.');
    assert.ok(domain.length > 1024);
    invalidCookie(() => serializeCookie('a', 'b', { domain }), 'domain');
  });

  it('describes long invalid values by their length instead of echoing them', () => {
    assertThrowsCode(
      () => serializeCookie('a', 'b', { sameSite: 'x'.repeat(100) as 'lax' }),
      'invalid_cookie',
      /^serializeCookie: option sameSite is invalid: got a string of 100 characters, expected/,
    );
  });
});
