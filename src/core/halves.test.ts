import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { responseOf } from '../../test/support/fakes.ts';
import { composeHalves, wrapHalves } from './halves.ts';
import type { Halves } from './halves.ts';
import type { RequestMap, ResponseMap } from './types.ts';

function recording(name: string, log: string[], early?: ResponseMap): Halves {
  return {
    request() {
      log.push(`${name} request`);
      return early;
    },
    response(response) {
      log.push(`${name} response`);
      return { ...response, headers: { ...response.headers, [`x-${name}`]: '1' } };
    },
  };
}

const request = (): RequestMap => ({
  method: 'GET',
  path: '/',
  query: new URLSearchParams(),
  headers: {},
  scheme: 'http',
});

describe('halves', () => {
  it('wrapHalves runs the request half, the handler, then the response half', async () => {
    const log: string[] = [];
    const app = wrapHalves(recording('a', log))(() => {
      log.push('handler');
      return { status: 200 };
    });
    const response = responseOf(await app(request()));
    assert.deepEqual(log, ['a request', 'handler', 'a response']);
    assert.deepEqual(response.headers, { 'x-a': '1' });
  });

  it('an early answer skips the handler and its own response half', async () => {
    const log: string[] = [];
    const app = wrapHalves(recording('a', log, { status: 403 }))(() => {
      log.push('handler');
      return { status: 200 };
    });
    assert.equal(responseOf(await app(request())).status, 403);
    assert.deepEqual(log, ['a request']);
  });

  it("wrapHalves passes a handler's no response (undefined or null) through, skipping the response half", async () => {
    for (const nothing of [undefined, null]) {
      const log: string[] = [];
      const app = wrapHalves(recording('a', log))(async () => nothing);
      assert.equal(await app(request()), nothing);
      assert.deepEqual(log, ['a request']);
    }
  });

  it('composeHalves passes no response through its response halves untouched', async () => {
    const log: string[] = [];
    const all = composeHalves(recording('a', log), recording('b', log));
    for (const nothing of [undefined, null]) {
      assert.equal(await all.response(nothing as unknown as ResponseMap, request()), nothing);
    }
    assert.deepEqual(log, []);
  });

  it('composeHalves orders halves as compose orders middleware', async () => {
    const log: string[] = [];
    const all = composeHalves(recording('a', log), recording('b', log));
    const req = request();
    assert.equal(await all.request(req), undefined);
    const response = await all.response({ status: 200 }, req);
    assert.deepEqual(log, ['a request', 'b request', 'b response', 'a response']);
    assert.deepEqual(Object.keys(response.headers ?? {}), ['x-b', 'x-a']);
  });

  it('composeHalves sends an early answer back through the halves outside it only', async () => {
    const log: string[] = [];
    const all = composeHalves(
      recording('a', log),
      recording('b', log, { status: 503 }),
      recording('c', log),
    );
    const early = await all.request(request());
    assert.equal(early?.status, 503);
    assert.deepEqual(log, ['a request', 'b request', 'a response']);
    assert.deepEqual(early?.headers, { 'x-a': '1' });
  });
  it('answers synchronously when the halves and the handler do, and waits for any that does not', async () => {
    const log: string[] = [];
    const sync = wrapHalves(recording('a', log))(() => ({ status: 200 }));
    const answer = sync(request());
    assert.ok(!(answer instanceof Promise));
    assert.deepEqual(responseOf(answer).headers, { 'x-a': '1' });
    const slow: Halves = {
      request: async () => undefined,
      response: async (response) => ({ ...response, status: 201 }),
    };
    for (const app of [
      wrapHalves(slow)(() => ({ status: 200 })),
      wrapHalves(recording('b', log))(async () => ({ status: 201 })),
      wrapHalves(composeHalves(recording('c', log), slow))(() => ({ status: 200 })),
    ]) {
      const pending = app(request());
      assert.ok(pending instanceof Promise);
      assert.equal(responseOf(await pending).status, 201);
    }
  });

  it('wrapHalves rejects, never throws, with what a half or the handler throws', async () => {
    const boom = new Error('boom');
    const throwing: Halves = {
      request() {
        throw boom;
      },
      response: (response) => response,
    };
    const apps = [
      wrapHalves(throwing)(() => ({ status: 200 })),
      wrapHalves(recording('a', []))(() => {
        throw boom;
      }),
      wrapHalves({
        ...throwing,
        request: () => undefined,
        response: () => {
          throw boom;
        },
      })(() => ({ status: 200 })),
    ];
    for (const app of apps) {
      let pending: unknown;
      assert.doesNotThrow(() => (pending = app(request())));
      await assert.rejects(pending as Promise<unknown>, boom);
    }
  });
});
