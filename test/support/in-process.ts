// A handler called in process as if over HTTP: a Fetch request in, a Fetch response out,
// with the node host's body parsing and its 400/404/413/500 answers, but no socket.
import { BodyError, parseBody } from '../../src/hosts/body.ts';
import { leftoverError } from '../../src/core/placement.ts';
import { createRequestMap } from '../../src/core/request.ts';
import type { Handler, HandlerResult, RequestHeaders, ResponseMap } from '../../src/core/types.ts';
import type { Fetch } from './client.ts';

/** Statuses whose response has no body (RFC 9110 §15.2, §15.3.5, §15.4.5). */
const bodiless = new Set([101, 103, 204, 205, 304]);

/**
 * A {@link Fetch} that calls `handler` directly. The request's URL is
 * `http://app.test<path>` unless `path` is absolute; a thrown or rejected handler is a 500
 * with a generic body, and the error goes to `onError`.
 */
export function inProcess(
  handler: Handler,
  onError: (error: unknown) => void = () => undefined,
): Fetch {
  return async (path, init = {}) => {
    const request = new Request(new URL(path, 'http://app.test'), init);
    const url = new URL(request.url);
    const headers: RequestHeaders = { host: url.host };
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const map = createRequestMap({
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      headers,
      scheme: url.protocol === 'https:' ? 'https' : 'http',
      remoteAddress: '127.0.0.1',
    });
    if (request.body !== null) {
      const bytes = Buffer.from(await request.arrayBuffer());
      if (bytes.length > 0) {
        try {
          Object.assign(map, parseBody(request.headers.get('content-type') ?? undefined, bytes));
        } catch (error) {
          if (error instanceof BodyError) return new Response('refused', { status: error.status });
          throw error;
        }
      }
    }
    let response: HandlerResult;
    try {
      response = await handler(map);
      const leftover =
        response === undefined || response === null ? undefined : leftoverError(response);
      if (leftover !== undefined) throw leftover;
    } catch (error) {
      onError(error);
      return new Response('Internal Server Error', { status: 500 });
    }
    // No response (Ring's nil): the node host's 404.
    if (response === undefined || response === null)
      return new Response('Not Found', { status: 404 });
    return toResponse(response, request.method);
  };
}

function toResponse(response: ResponseMap, method: string): globalThis.Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    if (typeof value === 'object') for (const line of value) headers.append(name, line);
    else headers.set(name, String(value));
  }
  const { body, status } = response;
  const empty = bodiless.has(status) || method === 'HEAD' || body === undefined || body === null;
  if (empty) return new Response(null, { status, headers });
  if (typeof body === 'string' || body instanceof Uint8Array) {
    return new Response(body, { status, headers });
  }
  return new Response(ReadableStream.from(body), { status, headers });
}
