import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compose } from './compose.ts';
import { html, json, notFound, redirect, text } from './response.ts';
import type { Handler, Middleware } from './types.ts';

describe('response helpers', () => {
  it('text, html and json set status, content type and body', () => {
    assert.deepEqual(text('hi'), {
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'hi',
    });
    assert.equal(html('<p>', 201).status, 201);
    assert.equal(html('<p>').headers?.['content-type'], 'text/html; charset=utf-8');
    assert.equal(json({ a: 1 }).body, '{"a":1}');
    assert.equal(json(null).headers?.['content-type'], 'application/json; charset=utf-8');
  });

  it('redirect defaults to 302 and takes 303 and 307', () => {
    assert.deepEqual(redirect('/x'), { status: 302, headers: { location: '/x' }, body: '' });
    assert.equal(redirect('/x', 303).status, 303);
    assert.equal(redirect('/x', 307).status, 307);
  });

  it('redirect refuses a status that is not a redirect and a location with CR or LF', () => {
    assert.throws(() => redirect('/x', 200 as 302), /option status/);
    assert.throws(() => redirect('/x\r\nSet-Cookie: a=1'), /option location/);
  });

  it('redirect percent-encodes what may not stand in a Location header, keeping escapes', () => {
    assert.equal(redirect('/caf\u00e9?q=a b&x=%41').headers?.location, '/caf%C3%A9?q=a%20b&x=%41');
    assert.equal(redirect('/\u2028x').headers?.location, '/%E2%80%A8x');
    assert.throws(() => redirect('/\ud800'), /option location/);
  });

  it('notFound answers 404', () => {
    assert.equal(notFound().status, 404);
  });
});

describe('compose', () => {
  it('applies the first middleware outermost', async () => {
    const order: string[] = [];
    const tag =
      (name: string): Middleware =>
      (handler) =>
      async (req) => {
        order.push(`${name} in`);
        const response = await handler(req);
        order.push(`${name} out`);
        return response;
      };
    const handler: Handler = () => (order.push('handler'), { status: 204 });
    await compose(tag('a'), tag('b'))(handler)({
      method: 'GET',
      path: '/',
      query: new URLSearchParams(),
      headers: {},
      scheme: 'http',
    });
    assert.deepEqual(order, ['a in', 'b in', 'handler', 'b out', 'a out']);
  });
});
