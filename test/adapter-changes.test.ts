// The framework adapters save a session only when its JSON changed since it was loaded: a
// value replaced, a key added, removed or moved, an object changed in place
// (`session.cart.push(x)`); not the same values written again, an equal object put in
// place of another, or a key set to undefined (which JSON leaves out).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Exchange } from '../src/hosts/adapter.ts';
import type { RequestMap, ResponseMap, SessionData } from '../src/core/types.ts';
import { RecordingLogger } from './support/fakes.ts';

type Values = Record<string, unknown>;

/** Whether the commit saves the session after `change` ran on the loaded `data`. */
function saves(data: Values, change: (session: Values) => void): boolean {
  const exchange = new Exchange(
    { session: data as SessionData } as unknown as RequestMap,
    new RecordingLogger(),
  );
  const session = exchange.session as unknown as Values;
  change(session);
  const skeleton = { status: 200, headers: {} } as ResponseMap;
  exchange.changes(skeleton, session);
  return skeleton.session !== undefined;
}

void describe('the framework adapters save a session when its JSON changed', () => {
  void it('saves a changed scalar, an added, removed or moved key', () => {
    assert.equal(
      saves({ n: 1 }, (s) => (s.n = 2)),
      true,
    );
    assert.equal(
      saves({ n: 1 }, (s) => (s.n = '1')),
      true,
    );
    assert.equal(
      saves({ n: 1 }, (s) => (s.m = 1)),
      true,
    );
    assert.equal(
      saves({ n: 1, m: 2 }, (s) => delete s.n),
      true,
    );
    assert.equal(
      saves({ n: 1, m: 2 }, (s) => {
        delete s.n;
        s.n = 1;
      }),
      true,
    );
    assert.equal(
      saves({ n: 1 }, (s) => (s.n = null)),
      true,
    );
  });

  void it('saves an object changed in place, at any depth', () => {
    assert.equal(
      saves({ cart: [1] }, (s) => (s.cart as number[]).push(2)),
      true,
    );
    assert.equal(
      saves({ user: { prefs: { theme: 'dark' } } }, (s) => {
        (s.user as { prefs: { theme: string } }).prefs.theme = 'light';
      }),
      true,
    );
  });

  void it('saves nothing for the same JSON', () => {
    assert.equal(
      saves({ n: 1, user: 'a' }, () => undefined),
      false,
    );
    assert.equal(
      saves({ n: 1 }, (s) => (s.n = 1)),
      false,
    );
    assert.equal(
      saves({ cart: [1] }, (s) => (s.cart = [1])),
      false,
    );
    assert.equal(
      saves({ n: 1 }, (s) => (s.gone = undefined)),
      false,
    );
    assert.equal(
      saves({ n: 0 }, (s) => (s.n = -0)),
      false,
    );
    assert.equal(
      saves({ n: Number.NaN }, (s) => (s.n = null)),
      false,
    );
    assert.equal(
      saves({ big: 1n }, (s) => (s.big = 1n)),
      false,
    );
    assert.equal(
      saves({}, () => undefined),
      false,
    );
  });
});
