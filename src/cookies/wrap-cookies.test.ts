import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordingLogger, request, responseOf, setCookies } from '../../test/support/fakes.ts';
import { SessionkitError } from '../core/errors.ts';
import type { RequestMap, ResponseCookie } from '../core/types.ts';
import { wrapCookies } from './wrap-cookies.ts';

describe('wrapCookies', () => {
  it("gives the request its cookies in Ring's shape, first of duplicates, values decoded", async () => {
    let seen: RequestMap | undefined;
    const app = wrapCookies()((req) => ((seen = req), { status: 200 }));
    await app(request({ headers: { cookie: 'username=Bob; a=x%20y; username=Eve' } }));
    assert.deepEqual({ ...seen?.cookies }, { username: { value: 'Bob' }, a: { value: 'x y' } });
    assert.equal(Object.getPrototypeOf(seen?.cookies), null);
  });

  it('P-10: prototype names are plain cookies and Object.prototype is untouched', async () => {
    let seen: RequestMap | undefined;
    const app = wrapCookies()((req) => ((seen = req), { status: 200 }));
    await app(request({ headers: { cookie: '__proto__=x; constructor=y; hasOwnProperty=w' } }));
    assert.equal(seen?.cookies?.__proto__?.value, 'x');
    assert.equal(seen?.cookies?.toString, undefined);
    assert.equal(({} as Record<string, unknown>).value, undefined);
  });

  it('writes one Set-Cookie per cookie after those the handler set itself', async () => {
    const app = wrapCookies()(() => ({
      status: 200,
      headers: { 'set-cookie': ['a=1', 'b=2'] },
      cookies: { c: '3', d: { value: 'x y', path: '/', httpOnly: true, sameSite: 'lax' } },
    }));
    const response = responseOf(await app(request()));
    assert.deepEqual(setCookies(response), [
      'a=1',
      'b=2',
      'c=3',
      'd=x%20y; Path=/; HttpOnly; SameSite=Lax',
    ]);
    assert.equal(response.cookies, undefined);
  });

  it('keeps a handler Set-Cookie given as a single string as its own line', async () => {
    const app = wrapCookies()(() => ({
      status: 200,
      headers: { 'Set-Cookie': 'a=1' },
      cookies: { b: '2' },
    }));
    assert.deepEqual(setCookies(await app(request())), ['a=1', 'b=2']);
  });

  it('gathers Set-Cookie headers spelled in different cases into one, losing none', async () => {
    const app = wrapCookies()(() => ({
      status: 200,
      headers: { 'Set-Cookie': 'a=1', 'set-cookie': ['b=2'] },
      cookies: { c: '3' },
    }));
    const response = responseOf(await app(request()));
    assert.deepEqual(response.headers, { 'Set-Cookie': ['a=1', 'b=2', 'c=3'] });
  });

  it('fails the response on a cookie that cannot be written safely', async () => {
    const app = wrapCookies()(() => ({ status: 200, cookies: { 'bad name': 'v' } }));
    await assert.rejects(
      Promise.resolve(app(request())),
      (error: unknown) => error instanceof SessionkitError && error.code === 'invalid_cookie',
    );
  });

  it("S-19: refuses a response cookie with an unknown attribute key such as Ring's max-age", async () => {
    const app = wrapCookies()(() => ({
      status: 200,
      cookies: { a: { value: 'foo', 'max-age': 5 } as unknown as ResponseCookie },
    }));
    await assert.rejects(
      Promise.resolve(app(request())),
      (error: unknown) =>
        error instanceof SessionkitError &&
        error.code === 'invalid_cookie' &&
        /option max-age of cookie "a" is invalid.*did you mean maxAge\?/.test(error.message),
    );
  });

  it('Z-05: warns once when a response sets more than 50 cookies or 8 KiB of them', async () => {
    const logger = new RecordingLogger();
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`c${i}`, 'v']));
    const app = wrapCookies({ logger })(() => ({ status: 200, cookies: many }));
    await app(request());
    await app(request());
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0]!, /51 cookies/);
    const big = new RecordingLogger();
    const large = Object.fromEntries(
      Array.from({ length: 3 }, (_, i) => [`c${i}`, 'x'.repeat(3000)]),
    );
    await wrapCookies({ logger: big })(() => ({ status: 200, cookies: large }))(request());
    assert.equal(big.warnings.length, 1);
    const quiet = new RecordingLogger();
    await wrapCookies({ logger: quiet })(() => ({ status: 200, cookies: { a: '1', b: '2' } }))(
      request(),
    );
    assert.equal(quiet.warnings.length, 0);
  });

  it("decode replaces percent-decoding (Ring's :decoder): raw values, and cookies it drops", async () => {
    let seen: RequestMap | undefined;
    const handler = (req: RequestMap) => ((seen = req), { status: 200 });
    const raw = wrapCookies({ decode: (value) => value })(handler);
    await raw(request({ headers: { cookie: 'a=U3VwIFdpenpvcmxkCg%3D%3D; b=hello+world; c="q"' } }));
    assert.deepEqual(
      { ...seen?.cookies },
      {
        a: { value: 'U3VwIFdpenpvcmxkCg%3D%3D' },
        b: { value: 'hello+world' },
        c: { value: 'q' },
      },
    );
    const picky = wrapCookies({
      decode: (value, name) => {
        if (name === 'boom') throw new Error('bad');
        return value.startsWith('ok') ? value.toUpperCase() : undefined;
      },
    })(handler);
    await picky(request({ headers: { cookie: 'x=no; boom=ok; x=ok-later; y=ok' } }));
    assert.deepEqual({ ...seen?.cookies }, { x: { value: 'OK-LATER' }, y: { value: 'OK' } });
  });

  it("encode replaces percent-encoding (Ring's :encoder), and must give cookie-octets", async () => {
    const raw = wrapCookies({ encode: (value) => value })(() => ({
      status: 200,
      cookies: { a: 'U3Vw+/==', b: { value: '%41', path: '/' } },
    }));
    assert.deepEqual(setCookies(await raw(request())), ['a=U3Vw+/==', 'b=%41; Path=/']);
    const named = wrapCookies({ encode: (value, name) => `${name}.${value}` })(() => ({
      status: 200,
      cookies: { a: 'v' },
    }));
    assert.deepEqual(setCookies(await named(request())), ['a=a.v']);
    const spaced = wrapCookies({ encode: (value) => value })(() => ({
      status: 200,
      cookies: { a: 'hello world' },
    }));
    await assert.rejects(
      Promise.resolve(spaced(request())),
      (error: unknown) =>
        error instanceof SessionkitError &&
        error.code === 'invalid_cookie' &&
        /option encode is invalid/.test(error.message),
    );
  });

  it("refuses a decode or encode that is not a function, and points Ring's names at them", () => {
    assert.throws(() => wrapCookies({ decode: 'identity' as never }), /option decode is invalid/);
    assert.throws(() => wrapCookies({ encode: 1 as never }), /option encode is invalid/);
    assert.throws(() => wrapCookies({ decoder: String } as never), /did you mean decode\?/);
    assert.throws(() => wrapCookies({ encoder: String } as never), /did you mean encode\?/);
  });

  it('does not re-parse cookies an outer middleware already parsed', async () => {
    let seen: RequestMap | undefined;
    const app = wrapCookies()((req) => ((seen = req), { status: 200 }));
    const cookies = Object.assign(Object.create(null), { kept: { value: '1' } });
    await app({ ...request({ headers: { cookie: 'other=2' } }), cookies });
    assert.equal(seen?.cookies, cookies);
  });
});
