/**
 * What the hosts that speak Fetch's `Request` and `Response` share (the Fetch host and the
 * Hono adapter): headers in, a body read within a limit, a response map out. Nothing here
 * imports `node:`; the globals are Fetch's and `Buffer`'s.
 */
import { describe } from '../core/errors.ts';
import type { RequestHeaders, ResponseMap } from '../core/types.ts';
import { BodyError, refusalText } from './body.ts';

/**
 * A Fetch request's headers as a {@link RequestHeaders} record (names are lower case in
 * `Headers` already). `Host` is not a header a `Request` carries on every runtime, so it is
 * taken from the URL when absent: the CSRF origin check compares with it.
 */
export function requestHeaders(headers: Headers, url: URL): RequestHeaders {
  const out: RequestHeaders = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  out.host ??= url.host;
  return out;
}

/** A `Content-Length` over `limit`: the body is refused before a byte of it is read. */
export function declaredTooLarge(headers: Headers, limit: number): boolean {
  const length = headers.get('content-length');
  return length !== null && Number(length) > limit;
}

/** The 413 for a body over `limit` bytes. */
export function tooLarge(limit: number): BodyError {
  return new BodyError(413, `request body is larger than ${limit} bytes`);
}

/**
 * Reads a request's body into memory, counting bytes as they arrive, and stops (cancelling
 * the stream) as soon as it passes `limit`.
 *
 * @throws {BodyError} 413 past the limit, 400 when the stream fails.
 */
export async function readBody(request: Request, limit: number): Promise<Buffer> {
  const body = request.body;
  if (body === null) return Buffer.alloc(0);
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let step: Awaited<ReturnType<typeof reader.read>>;
    try {
      step = await reader.read();
    } catch (error) {
      throw new BodyError(400, 'request body could not be read', { cause: error });
    }
    if (step.done) break;
    size += step.value.length;
    if (size > limit) {
      reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(step.value);
  }
  return Buffer.concat(chunks, size);
}

/** The plain-text answer to a refused body: 400, 413 (with `Connection: close`) or 415. */
export function refusal(error: BodyError): Response {
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (error.status === 413) headers.connection = 'close';
  return new Response(refusalText(error.status), { status: error.status, headers });
}

/** The generic 500. */
export function internalError(): Response {
  return new Response('Internal Server Error', {
    status: 500,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
}

/** Statuses whose response has no body (RFC 9110 §15.2, §15.3.5, §15.3.6, §15.4.5). */
const bodiless: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

/**
 * A response map as a Fetch `Response`. Each element of an array header is its own line
 * (several `Set-Cookie` survive). A stream body is read up to its first chunk before the
 * `Response` is made, so that a stream that fails at once (a missing file) becomes a 500
 * like a throwing handler; one that fails later ends the body in an error, so the client
 * sees a truncated response, never a complete-looking one.
 *
 * @throws {TypeError} for a response that cannot be sent (a bad status, header or body);
 *   the caller answers 500.
 */
export async function toResponse(
  response: unknown,
  method: string,
  onStreamError: (error: unknown) => void,
): Promise<Response> {
  if (
    typeof response !== 'object' ||
    response === null ||
    typeof (response as ResponseMap).status !== 'number'
  ) {
    throw new TypeError(
      `the handler returned ${describe(response)}, expected a response with a numeric status`,
    );
  }
  const { status, headers: given, body } = response as ResponseMap;
  const headers = new Headers();
  for (const name in given) {
    const value = given[name];
    if (value === undefined) continue;
    if (typeof value === 'object') for (const line of value) headers.append(name, line);
    else headers.set(name, String(value));
  }
  if (body === undefined || body === null || method === 'HEAD' || bodiless.has(status)) {
    return new Response(null, { status, headers });
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    return new Response(body, { status, headers });
  }
  if (typeof (body as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function') {
    throw new TypeError(
      `the response body is ${describe(body)}, expected a string, a Uint8Array or an async iterable of Uint8Array`,
    );
  }
  const iterator = (body as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const first = await iterator.next(); // a rejection here is the caller's 500
  return new Response(streamFrom(first, iterator, onStreamError), { status, headers });
}

const encoder = new TextEncoder();

/** A node stream may yield strings; a Fetch body carries bytes only. */
function bytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return encoder.encode(chunk);
  throw new TypeError(`a response body chunk is ${describe(chunk)}, expected a Uint8Array`);
}

function streamFrom(
  first: IteratorResult<unknown>,
  iterator: AsyncIterator<unknown>,
  onError: (error: unknown) => void,
): ReadableStream<Uint8Array> {
  let pending: IteratorResult<unknown> | undefined = first;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const step = pending ?? (await iterator.next());
        pending = undefined;
        if (step.done === true) controller.close();
        else controller.enqueue(bytes(step.value));
      } catch (error) {
        onError(error);
        controller.error(error);
        void iterator.return?.()?.catch(() => undefined);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
