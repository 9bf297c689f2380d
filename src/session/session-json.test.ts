import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionkitError } from '../core/errors.ts';
import { MAX_JSON_DEPTH } from '../core/limits.ts';
import { parseSessionJson, stringifySession } from './session-json.ts';
import type { JsonValue, SessionData } from '../core/types.ts';

function nested(levels: number): SessionData {
  let data: SessionData = {};
  for (let i = 1; i < levels; i++) data = { a: data };
  return data;
}

/** Data the session type rules out, given anyway (as JavaScript callers can). */
function untyped(data: unknown): SessionData {
  return data as SessionData;
}

function unserializable(message: RegExp) {
  return (error: unknown) =>
    error instanceof SessionkitError &&
    error.code === 'unserializable_session' &&
    message.test(error.message);
}

describe('stringifySession', () => {
  it(`C-14: accepts data nested ${MAX_JSON_DEPTH} levels and refuses one level more, with its path`, () => {
    let levels = 0;
    for (let value: unknown = JSON.parse(stringifySession(nested(MAX_JSON_DEPTH))); ; levels++) {
      if (typeof value !== 'object' || value === null) break;
      value = (value as Record<string, unknown>)['a'];
    }
    assert.equal(levels, MAX_JSON_DEPTH);
    assert.throws(
      () => stringifySession({ a: { b: [{ c: nested(MAX_JSON_DEPTH - 3) }] } }),
      unserializable(/^session data at a\.b\[0\]\.c\.a.* is nested deeper than 100 levels/),
    );
  });

  it('C-14: refuses 100,000 levels of nesting without overflowing the stack', () => {
    let deep: JsonValue[] = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.throws(() => stringifySession({ deep }), unserializable(/nested deeper/));
  });

  it('C-14: refuses a cycle, naming where it closes, and accepts an object shared twice', () => {
    const loop: SessionData = { n: 1 };
    loop.again = { back: [loop] };
    assert.throws(
      () => stringifySession({ loop }),
      unserializable(/at loop\.again\.back\[0\] is a cycle/),
    );
    const shared = { x: 1 };
    assert.equal(stringifySession({ a: shared, b: [shared] }), '{"a":{"x":1},"b":[{"x":1}]}');
  });

  it('C-14: names the path of a value JSON cannot represent', () => {
    assert.throws(
      () => stringifySession(untyped({ a: [1, { b: [2, undefined] }] })),
      unserializable(/at a\[1\]\.b\[1\] is undefined/),
    );
    assert.equal(stringifySession({ a: [{ b: undefined, c: 1 }] }), '{"a":[{"c":1}]}');
    assert.throws(
      () => stringifySession(untyped({ d: new Date(0) })),
      unserializable(/at d is an instance of Date/),
    );
    assert.throws(
      () => stringifySession(untyped({ n: Number.NaN })),
      unserializable(/at n is a non-finite/),
    );
  });
});

describe('parseSessionJson', () => {
  it('C-13: drops prototype keys at any depth, even 100,000 levels deep', () => {
    const text =
      '{"a":'.repeat(100_000) + '{"__proto__":{"admin":true},"ok":1}' + '}'.repeat(100_000);
    let value = parseSessionJson(text) as Record<string, unknown>;
    for (let i = 0; i < 100_000; i++) value = value['a'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(value), ['ok']);
  });
});
