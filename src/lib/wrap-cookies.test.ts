import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request, setCookies } from '../../test/support/fakes.ts';
import { SessionkitError } from './errors.ts';
import type { Request } from './types.ts';
import { wrapCookies } from './wrap-cookies.ts';

describe('wrapCookies', () => {
  it("gives the request its cookies in Ring's shape, first of duplicates, values decoded", async () => {
    let seen: Request | undefined;
    const app = wrapCookies()((req) => ((seen = req), { status: 200 }));
    await app(request({ headers: { cookie: 'username=Bob; a=x%20y; username=Eve' } }));
    assert.deepEqual({ ...seen?.cookies }, { username: { value: 'Bob' }, a: { value: 'x y' } });
    assert.equal(Object.getPrototypeOf(seen?.cookies), null);
  });

  it('P-10: prototype names are plain cookies and Object.prototype is untouched', async () => {
    let seen: Request | undefined;
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
    const response = await app(request());
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

  it('fails the response on a cookie that cannot be written safely', async () => {
    const app = wrapCookies()(() => ({ status: 200, cookies: { 'bad name': 'v' } }));
    await assert.rejects(
      Promise.resolve(app(request())),
      (error: unknown) => error instanceof SessionkitError && error.code === 'invalid_cookie',
    );
  });

  it('does not re-parse cookies an outer middleware already parsed', async () => {
    let seen: Request | undefined;
    const app = wrapCookies()((req) => ((seen = req), { status: 200 }));
    const cookies = Object.assign(Object.create(null), { kept: { value: '1' } });
    await app({ ...request({ headers: { cookie: 'other=2' } }), cookies });
    assert.equal(seen?.cookies, cookies);
  });
});
