import { consoleLogger } from '../../core/logger.ts';
import { invalidOption } from '../../core/errors.ts';
import type {
  Handler,
  JsonValue,
  Logger,
  RequestMap,
  SessionData,
  SessionShape,
} from '../../core/types.ts';
import { BodyError, parseBody } from '../body.ts';
import { firstEntry, safeLog } from '../host-utils.ts';
import { booleanOption, checkOptions, integerOption, loggerOption } from '../../core/options.ts';
import { leftoverError } from '../../core/placement.ts';
import { isNoResponse } from '../../core/halves.ts';
import { notFound } from '../../core/response.ts';
import { createRequestMap } from '../../core/request.ts';
import {
  declaredTooLarge,
  internalError,
  readBody,
  refusal,
  requestHeaders,
  toResponse,
  tooLarge,
} from '../web.ts';

/** Options of {@link toFetchHandler}. */
export interface FetchHostOptions {
  /**
   * The largest request body read, in bytes; a larger one gets 413 and is not read further.
   * @default 1048576 (1 MiB)
   */
  bodyLimitBytes?: number | undefined;
  /**
   * Trust `X-Forwarded-Proto` (its first entry decides `request.scheme`) and the first entry
   * of `X-Forwarded-For` (becomes `request.remoteAddress`). Turn it on only behind a proxy
   * that sets or overwrites both headers. When off, the scheme is the request URL's and
   * `remoteAddress` is undefined: a `Request` does not carry the peer's address.
   * @default false
   */
  trustProxy?: boolean | undefined;
  /**
   * Where failures are reported (a handler that throws, a stream that fails).
   * @default a console logger
   */
  logger?: Logger | undefined;
}

/** The defaults of {@link FetchHostOptions}: the node host's. */
export const fetchHostDefaults = Object.freeze({
  bodyLimitBytes: 1_048_576,
  trustProxy: false,
});

const optionNames: readonly string[] = ['bodyLimitBytes', 'trustProxy', 'logger'];

interface Host {
  readonly handler: Handler;
  readonly bodyLimitBytes: number;
  readonly trustProxy: boolean;
  readonly logger: Logger;
}

/**
 * Turns a handler into a Fetch handler, `(request: Request) => Promise<Response>`, for any
 * server that speaks Fetch (`@hono/node-server`, Deno.serve, Bun.serve, a worker). The
 * request gets `method`, `path` (the URL's pathname), `query`, `headers` (lower-case names,
 * `host` filled from the URL when absent), `scheme`, and for a body (not on GET or HEAD)
 * `form` or `body` as the node host parses them. The answers are the node host's: 413 past
 * `bodyLimitBytes` (from `Content-Length` alone when it says so, else as soon as the count
 * passes), 400 for a malformed body, 415 for an unsupported charset, and 500 `Internal
 * Server Error` (logged) when the handler throws, rejects or returns no response. Apply the
 * middleware (`wrapCookies`, `wrapSession`, …) to the handler first.
 *
 * @throws {SessionkitError} `invalid_option` for an invalid or unknown option.
 * @example
 * import { serve } from '@hono/node-server';
 * serve({ fetch: toFetchHandler(app), port: 3000 });
 * // or: Deno.serve(toFetchHandler(app)); export default { fetch: toFetchHandler(app) };
 */
export function toFetchHandler<S extends SessionShape<S> = SessionData, F = JsonValue>(
  handler: Handler<S, F>,
  options?: FetchHostOptions,
): (request: Request) => Promise<Response> {
  const what = 'toFetchHandler';
  if (typeof handler !== 'function') throw invalidOption(what, 'handler', handler, 'a function');
  const given = checkOptions(what, options, optionNames);
  const host: Host = Object.freeze({
    handler: handler as unknown as Handler,
    bodyLimitBytes: integerOption(
      what,
      'bodyLimitBytes',
      given.bodyLimitBytes,
      fetchHostDefaults.bodyLimitBytes,
    ),
    trustProxy: booleanOption(what, 'trustProxy', given.trustProxy, fetchHostDefaults.trustProxy),
    logger: loggerOption(what, given.logger, consoleLogger),
  });
  return (request) => answer(host, request);
}

async function answer(host: Host, request: Request): Promise<Response> {
  const map = toRequest(host, request);
  try {
    if (map.method !== 'GET' && map.method !== 'HEAD' && request.body !== null) {
      await readInto(host, request, map);
    }
  } catch (error) {
    const refused =
      error instanceof BodyError ? error : new BodyError(400, 'malformed body', { cause: error });
    safeLog(
      host.logger,
      'debug',
      `fetch host: ${map.method} ${map.path} refused: ${refused.message}`,
    );
    return refusal(refused);
  }
  try {
    let response = await host.handler(map);
    if (isNoResponse(response)) {
      // Ring's nil, "not mine": 404, as the node host answers.
      safeLog(
        host.logger,
        'debug',
        `fetch host: ${map.method} ${map.path}: no response; answered 404`,
      );
      response = notFound();
    }
    // A response still carrying a session or cookies: a middleware is missing (a 500, logged).
    const leftover =
      typeof response === 'object' && response !== null ? leftoverError(response) : undefined;
    if (leftover !== undefined) throw leftover;
    return await toResponse(response, map.method, (error) =>
      safeLog(
        host.logger,
        'error',
        `fetch host: ${map.method} ${map.path}: response body stream failed`,
        error,
      ),
    );
  } catch (error) {
    safeLog(host.logger, 'error', `fetch host: ${map.method} ${map.path}: handler failed`, error);
    return internalError();
  }
}

function toRequest(host: Host, request: Request): RequestMap {
  const url = new URL(request.url);
  let scheme: 'http' | 'https' = url.protocol === 'https:' ? 'https' : 'http';
  let remoteAddress: string | undefined;
  if (host.trustProxy) {
    const proto = firstEntry(request.headers.get('x-forwarded-proto'));
    if (proto !== undefined) scheme = proto.toLowerCase() === 'https' ? 'https' : 'http';
    const forwardedFor = firstEntry(request.headers.get('x-forwarded-for'));
    if (forwardedFor !== undefined && forwardedFor !== '') remoteAddress = forwardedFor;
  }
  return createRequestMap({
    method: request.method,
    path: url.pathname,
    query: url.searchParams,
    headers: requestHeaders(request.headers, url),
    scheme,
    remoteAddress,
  });
}

async function readInto(host: Host, request: Request, map: RequestMap): Promise<void> {
  if (declaredTooLarge(request.headers, host.bodyLimitBytes)) throw tooLarge(host.bodyLimitBytes);
  const bytes = await readBody(request, host.bodyLimitBytes);
  if (bytes.length === 0) return;
  const parsed = parseBody(request.headers.get('content-type') ?? undefined, bytes);
  if (parsed.form !== undefined) map.form = parsed.form;
  else map.body = parsed.body;
}
