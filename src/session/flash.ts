import type { Handler, Middleware, RequestMap, ResponseMap, SessionData } from '../core/types.ts';

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
export function wrapFlash<S extends SessionData = SessionData>(): Middleware<S> {
  return (handler: Handler<S>): Handler<S> =>
    async (request: RequestMap<S>): Promise<ResponseMap<S>> => {
      const session = request.session;
      const hadFlash = session !== undefined && flashKey in session;
      // What the session holds without the flash: the base of the write that removes it.
      let base: SessionData | undefined = session;
      if (hadFlash) {
        const { [flashKey]: flash, ...rest } = session;
        request.flash = flash;
        request.session = rest as S;
        base = rest;
      } else {
        request.flash = undefined;
      }
      const response = await handler(request);
      const { flash } = response;
      const hasFlash = flash !== undefined && flash !== null && flash !== false;
      if (!hadFlash && !hasFlash && response.session === undefined) return response;

      const next = response.session === undefined ? (base ?? {}) : response.session;
      if (!hasFlash) return { ...response, session: next as S | null };
      const { flash: _, ...rest } = response;
      if (next === null) {
        // F-02: logout plus a flash gives a fresh session that holds only the flash.
        return {
          ...rest,
          headers: { 'cache-control': 'no-store', ...rest.headers },
          session: { [flashKey]: flash } as unknown as S,
          regenerateSession: true,
        };
      }
      return { ...rest, session: { ...next, [flashKey]: flash } as unknown as S };
    };
}
