// Ring parity: ring-core's ring.middleware.test.flash (the newest version our reference index
// holds of ring-core/test/ring/middleware/test/flash.clj, from before Ring 1.10; wrap-flash
// did not change up to 1.15.5). One `it` per Ring `is`, in our words and API. Ring's
// keyword `:_flash` is our string key `_flash` (`flashKey`). No case is Clojure-only.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { flashHalves, flashKey, wrapFlash } from '../../src/session/flash.ts';
import type { Handler, HandlerResult, RequestMap, SessionData } from '../../src/core/types.ts';
import { request } from '../support/fakes.ts';

const message = { error: 'Could not save' };

/** A request as wrapSession hands it on: with a session. */
const withSession = (session: SessionData): RequestMap => ({ ...request(), session });

/** The handler's result, settled: the response, or what it raised. */
async function settle(
  result: ReturnType<Handler>,
): Promise<{ response?: HandlerResult; error?: unknown }> {
  try {
    return { response: await result };
  } catch (error) {
    return { error };
  }
}

describe('Ring parity: ring.middleware.flash (wrapFlash)', () => {
  it('flash-is-added-to-session #1: a response flash goes into the session', async () => {
    const response = await wrapFlash()(() => ({ status: 200, flash: message }))(withSession({}));
    assert.deepEqual(response?.session, { [flashKey]: message });
  });

  it('flash-is-retrieved-from-session #1: the next request sees it as request.flash', async () => {
    let seen: unknown;
    await wrapFlash()((req) => ((seen = req.flash), { status: 200 }))(
      withSession({ [flashKey]: message }),
    );
    assert.deepEqual(seen, message);
  });

  describe('flash-is-removed-after-read', () => {
    let response: HandlerResult;
    before(async () => {
      response = await wrapFlash()(() => ({ status: 200, session: { foo: 'bar' } }))(
        withSession({ [flashKey]: message }),
      );
    });
    it('#1 the response carries no flash', () => {
      assert.equal(response?.flash, undefined);
    });
    it("#2 the session written is the handler's, without the flash", () => {
      assert.deepEqual(response?.session, { foo: 'bar' });
    });
  });

  describe('flash-is-removed-after-read-not-touching-session-explicitly', () => {
    let response: HandlerResult;
    before(async () => {
      response = await wrapFlash()(() => ({ status: 200 }))(
        withSession({ [flashKey]: message, foo: 'bar' }),
      );
    });
    it('#1 the response carries no flash', () => {
      assert.equal(response?.flash, undefined);
    });
    it('#2 the session is written again without the flash', () => {
      assert.deepEqual(response?.session, { foo: 'bar' });
    });
  });

  it("flash-doesnt-wipe-session #1: the flash is added beside the session's data", async () => {
    const response = await wrapFlash()(() => ({ status: 200, flash: message }))(
      withSession({ foo: 'bar' }),
    );
    assert.deepEqual(response?.session, { foo: 'bar', [flashKey]: message });
  });

  it('flash-overwrites-nil-session #1: a flash with session: null leaves a session of the flash only', async () => {
    // sessionkit also asks for a new key here (README "logout with a flash"); the session
    // the response carries is Ring's.
    const response = await wrapFlash()(() => ({ status: 200, flash: message, session: null }))(
      withSession({ foo: 'bar' }),
    );
    assert.deepEqual(response?.session, { [flashKey]: message });
  });

  it('flash-not-except-on-nil-response #1: no response passes through', async () => {
    // Ring's request has no session; wrapFlash refuses one without wrapSession outside it.
    assert.equal(await wrapFlash()(() => undefined)(withSession({})), undefined);
  });

  describe('wrap-flash-cps-test (an asynchronous handler)', () => {
    let added: Awaited<ReturnType<typeof settle>>;
    let retrieved: Awaited<ReturnType<typeof settle>>;
    before(async () => {
      added = await settle(
        wrapFlash()(async () => ({ status: 200, flash: message }))(withSession({})),
      );
      retrieved = await settle(
        wrapFlash()(async (req) => ({ status: 200, body: JSON.stringify(req.flash) }))(
          withSession({ [flashKey]: message }),
        ),
      );
    });
    it('flash added to session #1: the session holds it', () => {
      assert.deepEqual(added.response?.session, { [flashKey]: message });
    });
    it('flash added to session #2: nothing was raised', () => {
      assert.equal(added.error, undefined);
    });
    it('flash retrieved from session #1: the handler sees it', () => {
      assert.deepEqual(JSON.parse(String(retrieved.response?.body)), message);
    });
    it('flash retrieved from session #2: nothing was raised', () => {
      assert.equal(retrieved.error, undefined);
    });
  });

  it('flash-request-test #1: the request half is a function', () => {
    assert.equal(typeof flashHalves().request, 'function');
  });

  describe('flash-response-test', () => {
    it('#1 the response half is a function', () => {
      assert.equal(typeof flashHalves().response, 'function');
    });
    it('#2 the response half gives back no response unchanged', async () => {
      const halves = flashHalves();
      assert.equal(await halves.response(undefined as never, request()), undefined);
    });
  });
});
