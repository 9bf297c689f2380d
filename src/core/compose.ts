import type { Handler, Middleware, SessionData } from './types.ts';

/**
 * Applies middleware to a handler, the first listed outermost (Ring's `->` threading read
 * top to bottom: the first middleware sees the request first and the response last).
 *
 * @example
 * const app = compose(wrapSession(), wrapFlash(), wrapCsrf())(routes);
 */
export function compose<S extends SessionData = SessionData>(
  ...middleware: readonly Middleware<S>[]
): (handler: Handler<S>) => Handler<S> {
  return (handler) => middleware.reduceRight<Handler<S>>((inner, wrap) => wrap(inner), handler);
}
