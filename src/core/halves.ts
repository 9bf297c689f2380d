/**
 * Ring writes each middleware as a request half, a response half and the `wrap-*` function
 * that joins them (`session-request`, `session-response`, `wrap-session`). Every sessionkit
 * middleware is a {@link Halves}; `wrapSession` and the others are `wrapHalves` of theirs, and
 * a host adapter that cannot wrap a handler (Express, Fastify, Hono) calls the halves itself.
 */
import { checkOrder } from './placement.ts';
import type { Role } from './placement.ts';
import type {
  Handler,
  HandlerResult,
  JsonValue,
  Middleware,
  RequestMap,
  ResponseMap,
  SessionData,
  SessionShape,
} from './types.ts';

/** What a request half gives: nothing to go on, or a response that answers at once. */
export type Early = ResponseMap | undefined;

/** A middleware as Ring's two halves. */
export interface Halves {
  /** Which of sessionkit's middleware this is, for the order checks of `compose`. */
  readonly role?: Role | undefined;
  /**
   * Ring's `*-request`: adds what the middleware provides to `request` (in place). Gives a
   * response when the request must be answered at once, without the handler (a store that
   * cannot read: 503; a forged request: 403); that response skips this middleware's response
   * half but still passes through the response halves of the middleware around it.
   */
  request(request: RequestMap): Early | Promise<Early>;
  /**
   * Ring's `*-response`: turns the handler's response into what goes out (store writes,
   * Set-Cookie headers). Never called for a request its request half answered, nor by
   * `wrapHalves` and `composeHalves` when the handler gave no response (`undefined` or
   * `null`, Ring's `nil`): that passes through untouched. The halves sessionkit ships also
   * return such a value unchanged when called with one directly.
   */
  response(response: ResponseMap, request: RequestMap): ResponseMap | Promise<ResponseMap>;
  /**
   * Optional: the response for an error the handler threw that this middleware knows (the
   * session store failing under `updateSession`: `onStoreError`'s 503), or undefined to let
   * it go on to the host (a 500). Like an early response, it skips this middleware's
   * response half and passes through the response halves around it.
   */
  failed?(error: unknown, request: RequestMap): Early | Promise<Early>;
}

/**
 * True for `undefined` and `null`: a handler's "no response" (Ring's `nil`). A response half
 * given one returns it unchanged.
 */
export function isNoResponse(value: HandlerResult | ResponseMap): value is undefined | null {
  return value === undefined || value === null;
}

/** True for a promise or any thenable. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as Partial<PromiseLike<T>> | null)?.then === 'function';
}

/**
 * Ring's `wrap-*`: a middleware from its halves. When the request half, the handler and the
 * response half all answer synchronously, so does the wrapped handler: no promise and no
 * microtask turn. It never throws: what its halves or the handler throw, it rejects with.
 *
 * @example
 * const wrapSession = (options) => wrapHalves(sessionHalves(options));
 */
export function wrapHalves<S extends SessionShape<S> = SessionData, F = JsonValue>(
  halves: Halves,
): Middleware<S, F> {
  const middleware = (handler: Handler<S, F>): Handler<S, F> => {
    // The halves work on any session; the handler's session type is the application's.
    const inner = handler as unknown as Handler;
    const wrapped: Handler = (request) => {
      try {
        const early = halves.request(request);
        if (isThenable(early)) return afterRequest(halves, inner, early, request);
        return early !== undefined ? early : handle(halves, inner, request);
      } catch (error) {
        return rejection(error);
      }
    };
    return wrapped as unknown as Handler<S, F>;
  };
  return halves.role === undefined
    ? middleware
    : Object.assign(middleware, { [roleOf]: halves.role });
}

/** `wrapHalves` once the request half let the request through: the handler, then the response half. */
function handle(
  halves: Halves,
  inner: Handler,
  request: RequestMap,
): HandlerResult | Promise<HandlerResult> {
  let result;
  try {
    result = inner(request);
  } catch (error) {
    return failed(halves, error, request);
  }
  if (isThenable(result)) return afterHandler(halves, result, request);
  // Ring's nil: "not mine". No store write, no cookie; the host answers 404.
  return isNoResponse(result) ? result : halves.response(result, request);
}

/** {@link handle} after a request half that answered with a promise. */
async function afterRequest(
  halves: Halves,
  inner: Handler,
  pending: PromiseLike<Early>,
  request: RequestMap,
): Promise<HandlerResult> {
  const early = await pending;
  if (early !== undefined) return early;
  return handle(halves, inner, request);
}

/** The response half after a handler that answered with a promise. */
async function afterHandler(
  halves: Halves,
  pending: PromiseLike<HandlerResult>,
  request: RequestMap,
): Promise<HandlerResult> {
  let response;
  try {
    response = await pending;
  } catch (error) {
    return failed(halves, error, request);
  }
  return isNoResponse(response) ? response : halves.response(response, request);
}

/** The middleware's answer to what the handler threw, or the error again. */
async function failed(halves: Halves, error: unknown, request: RequestMap): Promise<ResponseMap> {
  const answer = halves.failed === undefined ? undefined : await halves.failed(error, request);
  if (answer === undefined) throw error;
  return answer;
}

/** A promise rejected with `error`, as an async function that threw it gives. */
export async function rejection(error: unknown): Promise<never> {
  throw error;
}

/** Where `wrapHalves` records a middleware's role, for `compose`. */
export const roleOf: unique symbol = Symbol('sessionkit.role');

/** The role of a middleware made by `wrapHalves`, if it has one. */
export function middlewareRole(middleware: object): Role | undefined {
  return (middleware as { [roleOf]?: Role })[roleOf];
}

/**
 * Several halves as one, the first listed outermost, as `compose` orders middleware: the
 * request halves run first to last, the response halves last to first, and an early answer
 * from one request half goes back through the response halves of those before it. No
 * response (`undefined` or `null`) passes through the response halves untouched.
 *
 * @example
 * const all = composeHalves(cookieHalves(), sessionHalves(options), flashHalves(), csrfHalves());
 */
export function composeHalves(...list: readonly Halves[]): Halves {
  checkOrder(list.map((halves) => halves.role));
  return {
    request(request) {
      return requestFrom(list, 0, request);
    },
    response(response, request) {
      return unwind(list, list.length - 1, response, request);
    },
    async failed(error, request) {
      for (let i = list.length - 1; i >= 0; i--) {
        const answer = await list[i]!.failed?.(error, request);
        if (answer !== undefined) return unwind(list, i - 1, answer, request);
      }
      return undefined;
    },
  };
}

/**
 * The request halves from `from` on; an early answer goes back through the response halves
 * before it. Synchronous halves (cookies, flash) cost no promise and no microtask turn.
 */
function requestFrom(
  list: readonly Halves[],
  from: number,
  request: RequestMap,
): Early | Promise<Early> {
  for (let i = from; i < list.length; i++) {
    const result = list[i]!.request(request);
    if (isThenable(result)) return requestAfter(list, i, result, request);
    if (result !== undefined) return unwind(list, i - 1, result, request);
  }
  return undefined;
}

/** {@link requestFrom} once request half `at`, which answered with a promise, settled. */
async function requestAfter(
  list: readonly Halves[],
  at: number,
  pending: PromiseLike<Early>,
  request: RequestMap,
): Promise<Early> {
  const early = await pending;
  return early === undefined
    ? requestFrom(list, at + 1, request)
    : unwind(list, at - 1, early, request);
}

/** The response halves from `from` down to the outermost; synchronous ones without a promise. */
function unwind(
  list: readonly Halves[],
  from: number,
  response: ResponseMap,
  request: RequestMap,
): ResponseMap | Promise<ResponseMap> {
  return isNoResponse(response) ? response : unwindFrom(list, from, response, request);
}

function unwindFrom(
  list: readonly Halves[],
  from: number,
  response: ResponseMap,
  request: RequestMap,
): ResponseMap | Promise<ResponseMap> {
  let out = response;
  for (let i = from; i >= 0; i--) {
    const result = list[i]!.response(out, request);
    if (isThenable(result)) return unwindAfter(list, i, result, request);
    out = result;
  }
  return out;
}

/** {@link unwindFrom} once response half `at`, which answered with a promise, settled. */
async function unwindAfter(
  list: readonly Halves[],
  at: number,
  pending: PromiseLike<ResponseMap>,
  request: RequestMap,
): Promise<ResponseMap> {
  return unwindFrom(list, at - 1, await pending, request);
}
