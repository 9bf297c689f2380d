import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  appendList,
  appendSetCookie,
  defaultHeader,
  getHeader,
  headerKey,
  setCookieLines,
  setHeader,
} from './headers.ts';

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
});
