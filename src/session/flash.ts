import { isNoResponse, wrapHalves } from '../core/halves.ts';
import { needsSession } from '../core/placement.ts';
import type { Halves } from '../core/halves.ts';
import { defaultHeader, withProperty } from '../core/headers.ts';
import type {
  JsonValue,
  Middleware,
  RequestMap,
  ResponseMap,
  SessionData,
  SessionShape,
} from '../core/types.ts';

/** Where the flash lives inside the session: Ring's `:_flash`. */
export const flashKey = '_flash';

/**
 * Ring's `wrap-flash`, to be placed inside `wrapSession`. A response's `flash` is seen as
 * `request.flash` by the next request only, then it is gone, whatever route that request
 * takes: the flash is stored in the session and removed from it on the request that reads
 * it. `null`, `undefined` and `false` are not stored (Ring's falsy values).
 *
 * With `session: null` (logout) and a flash, the old session is deleted and a new one holds
 * only the flash ("You have been logged out").
 *
 * @example
 * const app = compose(wrapSession(options), wrapFlash())(router);
 * // POST /items → { ...redirect('/items', 303), flash: 'Saved' }
 * // GET /items → request.flash === 'Saved'
 */
export function wrapFlash<S extends SessionShape<S> = SessionData, F = JsonValue>(): Middleware<
  S,
  F
> {
  return wrapHalves<S, F>(flashHalves());
}

/**
 * `wrapFlash`'s two halves: `request` moves the stored flash to `request.flash`; `response`
 * stores the response's `flash` in the session and persists the removal of the one read.
 */
export function flashHalves(): Halves {
  return { role: 'flash', request: flashRequest, response: flashResponse };
}

/** What the request half learnt, for the response half. */
interface State {
  readonly hadFlash: boolean;
  /** The session without the flash: the base of the write that removes it. */
  readonly base: SessionData | undefined;
}

const state = Symbol('sessionkit.flash');
type WithState = RequestMap & { [state]?: State };

function flashRequest(request: WithState): undefined {
  const session = request.session;
  if (session === undefined) throw needsSession('flash');
  if (flashKey in session) {
    const { [flashKey]: flash, ...rest } = session;
    request.flash = flash;
    request.session = rest;
    request[state] = { hadFlash: true, base: rest };
  } else {
    request.flash = undefined;
    request[state] = { hadFlash: false, base: session };
  }
  return undefined;
}

function flashResponse(response: ResponseMap, request: WithState): ResponseMap {
  if (isNoResponse(response)) return response;
  const { hadFlash, base } = request[state] ?? { hadFlash: false, base: request.session };
  const { flash } = response;
  const hasFlash = flash !== undefined && flash !== null && flash !== false;
  if (!hadFlash && !hasFlash && response.session === undefined) return response;

  const next = response.session === undefined ? (base ?? {}) : response.session;
  if (!hasFlash) return withProperty(response, 'session', next);
  const { flash: _, ...rest } = response;
  if (next === null) {
    // F-02: logout plus a flash gives a fresh session that holds only the flash.
    return {
      ...rest,
      headers: defaultHeader(rest.headers, 'cache-control', 'no-store'),
      session: { [flashKey]: flash },
      regenerateSession: true,
      sessionSubject: null, // the new session is nobody's
    };
  }
  return { ...rest, session: { ...next, [flashKey]: flash } };
}
