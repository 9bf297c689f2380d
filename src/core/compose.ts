import { middlewareRole } from './halves.ts';
import { checkOrder } from './placement.ts';
import type { Handler, JsonValue, Middleware, SessionData, SessionShape } from './types.ts';

/**
 * Applies middleware to a handler, the first listed outermost (Ring's `->` threading read
 * top to bottom: the first middleware sees the request first and the response last).
 * `wrapFlash` or `wrapCsrf` listed before `wrapSession` throws `missing_middleware` here.
 *
 * @example
 * const app = compose(wrapSession(), wrapFlash(), wrapCsrf())(routes);
 */
export function compose<S extends SessionShape<S> = SessionData, F = JsonValue>(
  ...middleware: readonly Middleware<S, F>[]
): (handler: Handler<S, F>) => Handler<S, F> {
  checkOrder(middleware.map(middlewareRole));
  return (handler) => middleware.reduceRight<Handler<S, F>>((inner, wrap) => wrap(inner), handler);
}
