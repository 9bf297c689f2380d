import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyError, maxFormFields, maxPartHeaderBytes, parseBody } from './body.ts';
import { MAX_JSON_DEPTH } from '../core/limits.ts';

const form = 'application/x-www-form-urlencoded';

function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

function multipart(boundary: string, ...parts: string[]): Buffer {
  return bytes(
    parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('') + `--${boundary}--\r\n`,
  );
}

function refusal(status: number): (error: unknown) => boolean {
  return (error) => error instanceof BodyError && error.status === status;
}

void describe('parseBody: urlencoded', () => {
  void it('decodes fields into a null-prototype object', () => {
    const parsed = parseBody(form, bytes('name=Bob&city=Paris'));
    assert.deepEqual({ ...parsed.form }, { name: 'Bob', city: 'Paris' });
    assert.equal(Object.getPrototypeOf(parsed.form), null);
    assert.equal('body' in parsed, false);
  });

  void it('turns a repeated field into an array in order', () => {
    const parsed = parseBody(form, bytes('a=1&b=x&a=2&a=3'));
    assert.deepEqual(parsed.form?.['a'], ['1', '2', '3']);
    assert.equal(parsed.form?.['b'], 'x');
  });

  void it('decodes + as a space and %XX as UTF-8', () => {
    const parsed = parseBody(form, bytes('q=hello+world&e=caf%C3%A9%20%26'));
    assert.equal(parsed.form?.['q'], 'hello world');
    assert.equal(parsed.form?.['e'], 'café &');
  });

  void it('keeps an invalid % escape literally instead of refusing the body', () => {
    const parsed = parseBody(form, bytes('a=100%&b=%zz&c=%C3'));
    assert.equal(parsed.form?.['a'], '100%');
    assert.equal(parsed.form?.['b'], '%zz');
    assert.equal(parsed.form?.['c'], '\uFFFD');
  });

  void it('matches the media type case-insensitively and ignores parameters', () => {
    const parsed = parseBody('Application/X-WWW-Form-URLEncoded; charset=UTF-8', bytes('a=1'));
    assert.equal(parsed.form?.['a'], '1');
  });

  void it('stores a __proto__ field as an own property without touching any prototype', () => {
    const parsed = parseBody(form, bytes('__proto__=x&constructor=y'));
    assert.equal(Object.getOwnPropertyDescriptor(parsed.form, '__proto__')?.value, 'x');
    assert.equal(Object.getPrototypeOf(parsed.form), null);
    assert.equal(({} as Record<string, unknown>)['x'], undefined);
  });

  void it(`refuses more than ${maxFormFields} fields with 413`, () => {
    const body = Array.from({ length: maxFormFields + 1 }, (_, i) => `f${i}=1`).join('&');
    assert.throws(() => parseBody(form, bytes(body)), refusal(413));
    const atLimit = Array.from({ length: maxFormFields }, (_, i) => `f${i}=1`).join('&');
    assert.equal(Object.keys(parseBody(form, bytes(atLimit)).form ?? {}).length, maxFormFields);
  });

  void it('refuses a charset other than UTF-8 with 415', () => {
    assert.throws(() => parseBody(`${form}; charset=iso-8859-1`, bytes('a=1')), refusal(415));
  });
});

void describe('parseBody: JSON', () => {
  void it('parses application/json into body', () => {
    const parsed = parseBody('application/json', bytes('{"a":[1,2],"b":null}'));
    assert.deepEqual(parsed.body, { a: [1, 2], b: null });
    assert.equal('form' in parsed, false);
  });

  void it('parses +json types and ignores parameters and case', () => {
    assert.deepEqual(parseBody('application/vnd.api+json', bytes('[1]')).body, [1]);
    assert.deepEqual(parseBody('Application/JSON; charset=utf-8', bytes('"x"')).body, 'x');
  });

  void it('accepts a leading byte order mark', () => {
    assert.deepEqual(parseBody('application/json', bytes('\uFEFF{"a":1}')).body, { a: 1 });
  });

  void it('refuses malformed JSON with 400', () => {
    assert.throws(() => parseBody('application/json', bytes('{"a":')), refusal(400));
    assert.throws(() => parseBody('application/json', bytes('')), refusal(400));
  });

  void it('keeps __proto__ keys as own properties, so no prototype is polluted', () => {
    const parsed = parseBody('application/json', bytes('{"__proto__":{"polluted":true}}'));
    const body = parsed.body as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(body), Object.prototype);
    assert.deepEqual(Object.keys(body), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});

void describe('parseBody: JSON depth', () => {
  const json = 'application/json';

  void it(`Q-08: refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels with 400, before parsing it`, () => {
    const bomb = '['.repeat(500_000) + ']'.repeat(500_000); // 1 MB
    assert.throws(() => parseBody(json, bytes(bomb)), refusal(400));
    const objects = '{"a":'.repeat(MAX_JSON_DEPTH) + '{}' + '}'.repeat(MAX_JSON_DEPTH);
    assert.throws(() => parseBody(json, bytes(objects)), refusal(400));
  });

  void it(`Q-08: accepts ${MAX_JSON_DEPTH} levels, and counts no bracket inside a string`, () => {
    const deepest = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    assert.ok(Array.isArray(parseBody(json, bytes(deepest)).body));
    const text = '[{[\\"\\\\'.repeat(10_000);
    const value = { text, nested: [[{ ok: true }]] };
    assert.deepEqual(parseBody(json, bytes(JSON.stringify(value))).body, value);
  });

  void it('Q-08: a string left open is malformed JSON: 400', () => {
    assert.throws(() => parseBody(json, bytes('["[[[[\\"]')), refusal(400));
  });
});

void describe('parseBody: multipart', () => {
  void it('keeps text fields, repeated ones as arrays, and skips file parts', () => {
    const body = multipart(
      'XyZ',
      'Content-Disposition: form-data; name="title"\r\n\r\nHello, wörld',
      'content-disposition: FORM-DATA; name=tag\r\n\r\na',
      'Content-Disposition: form-data; name="upload"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nfile content',
      'Content-Disposition: form-data; name="tag"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nb',
    );
    const parsed = parseBody('multipart/form-data; boundary=XyZ', body);
    assert.deepEqual({ ...parsed.form }, { title: 'Hello, wörld', tag: ['a', 'b'] });
    assert.equal(Object.getPrototypeOf(parsed.form), null);
  });

  void it('keeps CRLF and boundary-like text inside a value, and empty values', () => {
    const body = multipart(
      'b',
      'Content-Disposition: form-data; name="text"\r\n\r\nline 1\r\n--not the boundary\r\nline 3',
      'Content-Disposition: form-data; name="empty"\r\n\r\n',
    );
    const parsed = parseBody('multipart/form-data; boundary="b"', body);
    assert.equal(parsed.form?.['text'], 'line 1\r\n--not the boundary\r\nline 3');
    assert.equal(parsed.form?.['empty'], '');
  });

  void it('ignores a preamble, an epilogue and transport padding', () => {
    const body = bytes(
      'preamble\r\n--b  \r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\nepilogue',
    );
    assert.equal(parseBody('multipart/form-data; boundary=b', body).form?.['a'], '1');
  });

  void it('reads a quoted boundary and a quoted name with ; and escapes', () => {
    const body = multipart('a b;c', 'Content-Disposition: form-data; name="x;\\"y\\""\r\n\r\nv');
    const parsed = parseBody('multipart/form-data; charset=utf-8; boundary="a b;c"', body);
    assert.deepEqual({ ...parsed.form }, { 'x;"y"': 'v' });
  });

  void it('refuses a body without a boundary parameter with 400', () => {
    assert.throws(() => parseBody('multipart/form-data', bytes('x')), refusal(400));
    assert.throws(() => parseBody('multipart/form-data; charset=utf-8', bytes('x')), refusal(400));
  });

  void it('refuses a broken structure with 400', () => {
    const type = 'multipart/form-data; boundary=b';
    const cases = [
      '', // no boundary at all
      '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1', // no closing boundary
      '--b\r\nContent-Disposition: form-data; name="a"\r\n1\r\n--b--', // no header end
      '--b\r\n\r\n1\r\n--b--', // no Content-Disposition
      '--b\r\nContent-Disposition: form-data\r\n\r\n1\r\n--b--', // no name
      '--b\r\nContent-Disposition: attachment; name="a"\r\n\r\n1\r\n--b--', // not form-data
      '--b\r\nContent-Disposition: form-data; name="a\r\n\r\n1\r\n--b--', // unterminated quote
      '--b\r\nno colon here\r\n\r\n1\r\n--b--', // a header without a colon
      '--bx\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--', // boundary prefix
      '--b\nContent-Disposition: form-data; name="a"\n\n1\n--b--', // LF only
    ];
    for (const body of cases) {
      assert.throws(() => parseBody(type, bytes(body)), refusal(400), JSON.stringify(body));
    }
  });

  void it(`Q-08: refuses a part whose header block passes ${maxPartHeaderBytes} bytes with 400, scanning no further`, () => {
    const type = 'multipart/form-data; boundary=b';
    // A 1 MiB quoted name: refused by the size of the block, not parsed character by character.
    const long = `Content-Disposition: form-data; name="${'\\"'.repeat(512 * 1024)}"\r\n\r\nv`;
    assert.throws(() => parseBody(type, multipart('b', long)), refusal(400));
    const header = 'Content-Disposition: form-data; name="a"\r\n';
    const padding = `X-Pad: ${'p'.repeat(maxPartHeaderBytes - header.length - 10)}\r\n`;
    const fits = parseBody(type, multipart('b', `${header}${padding}\r\nv`));
    assert.equal(fits.form?.['a'], 'v');
    const over = `${header}${padding}X-More: ${'q'.repeat(20)}\r\n\r\nv`;
    assert.throws(() => parseBody(type, multipart('b', over)), refusal(400));
  });

  void it('reads quoted names with escapes anywhere in a long value', () => {
    const name = `${'a'.repeat(5000)}\\"${'b'.repeat(5000)}\\\\`;
    const part = `Content-Disposition: form-data; name="${name}"\r\n\r\nv`;
    const parsed = parseBody('multipart/form-data; boundary=b', multipart('b', part));
    assert.deepEqual(Object.keys(parsed.form!), [`${'a'.repeat(5000)}"${'b'.repeat(5000)}\\`]);
  });

  void it(`refuses more than ${maxFormFields} parts with 413`, () => {
    const parts = Array.from(
      { length: maxFormFields + 1 },
      (_, i) => `Content-Disposition: form-data; name="f${i}"\r\n\r\n1`,
    );
    const type = 'multipart/form-data; boundary=b';
    assert.throws(() => parseBody(type, multipart('b', ...parts)), refusal(413));
  });
});

void describe('parseBody: other types', () => {
  void it('gives the raw bytes for another or a missing Content-Type', () => {
    const raw = Buffer.from([0, 1, 2, 255]);
    assert.equal(parseBody('application/octet-stream', raw).body, raw);
    assert.equal(parseBody('text/plain', raw).body, raw);
    assert.equal(parseBody(undefined, raw).body, raw);
  });
});
