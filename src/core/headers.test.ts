import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  appendList,
  appendSetCookie,
  defaultHeader,
  getHeader,
  headerKey,
  privateCache,
  privateSetCookie,
  setCookieLines,
  setHeader,
} from './headers.ts';
import type { ResponseHeaders } from './types.ts';

describe('response headers, case-insensitively', () => {
  it('finds a header under any spelling', () => {
    assert.equal(headerKey({ 'Content-Type': 'x' }, 'content-type'), 'Content-Type');
    assert.equal(getHeader({ VARY: 'Accept' }, 'vary'), 'Accept');
    assert.equal(getHeader({}, 'vary'), undefined);
    assert.equal(getHeader(undefined, 'vary'), undefined);
  });

  it('setHeader replaces every spelling and keeps the one present', () => {
    assert.deepEqual(
      setHeader({ 'Cache-Control': 'max-age=60', a: '1' }, 'cache-control', 'no-store'),
      {
        'Cache-Control': 'no-store',
        a: '1',
      },
    );
    assert.deepEqual(setHeader(undefined, 'x-a', '1'), { 'x-a': '1' });
  });

  it('defaultHeader leaves a header the handler set, in any case', () => {
    const headers = { 'CACHE-CONTROL': 'private' };
    assert.equal(defaultHeader(headers, 'cache-control', 'no-store'), headers);
    assert.deepEqual(defaultHeader({}, 'cache-control', 'no-store'), {
      'cache-control': 'no-store',
    });
  });

  it("appendList merges a handler's { VARY: 'Accept' } into one Vary header, without duplicates", () => {
    assert.deepEqual(appendList({ VARY: 'Accept' }, 'vary', ['Sec-Fetch-Site', 'Origin']), {
      VARY: 'Accept, Sec-Fetch-Site, Origin',
    });
    const merged = appendList({ Vary: 'origin', vary: 'Cookie' }, 'vary', ['Origin']);
    assert.equal(Object.keys(merged).length, 1);
    assert.equal(getHeader(merged, 'vary'), 'origin, Cookie');
    assert.deepEqual(appendList({ vary: '*' }, 'vary', ['Origin']), { vary: '*' });
    assert.deepEqual(appendList(undefined, 'vary', ['Origin']), { vary: 'Origin' });
  });

  it('appendSetCookie keeps one line per cookie and gathers every spelling into one header', () => {
    assert.deepEqual(appendSetCookie({ 'Set-Cookie': 'a=1', 'set-cookie': ['b=2'] }, ['c=3']), {
      'Set-Cookie': ['a=1', 'b=2', 'c=3'],
    });
    assert.deepEqual(setCookieLines({ 'SET-COOKIE': ['a=1', 'b=2'] }), ['a=1', 'b=2']);
  });

  it('never mutates the headers it is given', () => {
    const headers = Object.freeze({ Vary: 'Accept' });
    appendList(headers, 'vary', ['Origin']);
    setHeader(headers, 'vary', 'x');
    appendSetCookie(headers, ['a=1']);
    assert.deepEqual(headers, { Vary: 'Accept' });
  });

  it('L-17: privateCache keeps private or no-store, drops public and s-maxage, adds private', () => {
    assert.deepEqual(privateCache(undefined), { 'cache-control': 'private' });
    assert.deepEqual(privateCache({ 'Cache-Control': 'public, s-maxage=600, max-age=60' }), {
      'Cache-Control': 'max-age=60, private',
    });
    const kept: ResponseHeaders = { 'cache-control': 'no-store' };
    assert.equal(privateCache(kept), kept);
    const own: ResponseHeaders = { 'CACHE-CONTROL': 'Private, max-age=5' };
    assert.equal(privateCache(own), own);
    // A qualified private="Set-Cookie" still lets a shared cache keep the body.
    assert.deepEqual(privateCache({ 'cache-control': 'private="Set-Cookie"' }), {
      'cache-control': 'private="Set-Cookie", private',
    });
  });

  it('L-17: privateSetCookie equals privateCache, Vary: Cookie and appendSetCookie in a row', () => {
    const line = ['session=v; Path=/'];
    const cases: (ResponseHeaders | undefined)[] = [
      undefined,
      {},
      { 'content-type': 'text/html' },
      { VARY: 'Accept' },
      { 'Set-Cookie': 'theme=dark' },
      { 'cache-control': 'public, max-age=60', Vary: 'Cookie' },
      { 'cache-control': 'no-store' },
    ];
    for (const headers of cases) {
      const slow = appendSetCookie(appendList(privateCache(headers), 'vary', ['Cookie']), line);
      assert.deepEqual(privateSetCookie(headers, line), slow, JSON.stringify(headers));
    }
    const handlers: ResponseHeaders = { 'content-type': 'text/html' };
    privateSetCookie(handlers, line);
    assert.deepEqual(handlers, { 'content-type': 'text/html' }, 'never mutates');
  });
});
