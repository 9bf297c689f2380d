/**
 * The response half of the node host: runs the handler and writes what it returns (or a 400,
 * 413, 415 or 500) to a node `ServerResponse`, logging through the host's logger.
 */
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { BodyError } from '../body.ts';
import { describe } from '../../core/errors.ts';
import { leftoverError } from '../../core/leftovers.ts';
import type { Host } from './options.ts';
import type { RequestMap, ResponseMap } from '../../core/types.ts';

/** Answers a body that was not accepted (400, 413 or 415), logged at debug level. */
export function refuse(
  host: Host,
  request: RequestMap,
  res: ServerResponse,
  error: BodyError,
): void {
  log(host, 'debug', `node host: ${request.method} ${request.path} refused: ${error.message}`);
  if (res.headersSent || res.destroyed) return;
  res.statusCode = error.status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  if (error.status === 413) res.setHeader('connection', 'close');
  res.end(
    error.status === 413
      ? 'Payload Too Large'
      : error.status === 415
        ? 'Unsupported Media Type'
        : 'Bad Request',
  );
}

/** Calls the handler and sends its response, or a 500 when it throws or rejects. */
export function run(host: Host, request: RequestMap, res: ServerResponse): void {
  let result: ResponseMap | Promise<ResponseMap>;
  try {
    result = host.handler(request);
  } catch (error) {
    fail(host, request, res, error);
    return;
  }
  if (result instanceof Promise) {
    result.then(
      (response) => send(host, request, res, response),
      (error: unknown) => fail(host, request, res, error),
    );
  } else {
    send(host, request, res, result);
  }
}

/** Writes the response; never throws (a failure becomes a 500, or a destroyed socket). */
function send(host: Host, request: RequestMap, res: ServerResponse, response: unknown): void {
  if (
    typeof response !== 'object' ||
    response === null ||
    typeof (response as ResponseMap).status !== 'number'
  ) {
    const got = describe(response);
    fail(
      host,
      request,
      res,
      new TypeError(`the handler returned ${got}, expected a response with a numeric status`),
    );
    return;
  }
  const { status, headers, body } = response as ResponseMap;
  const leftover = leftoverError(response as ResponseMap);
  if (leftover !== undefined) {
    fail(host, request, res, leftover);
    return;
  }
  try {
    res.statusCode = status;
    if (headers !== undefined) {
      for (const name in headers) {
        const value = headers[name];
        if (value !== undefined) res.setHeader(name, value);
      }
    }
    if (body === undefined || body === null) res.end();
    else if (typeof body === 'string' || body instanceof Uint8Array) {
      res.end(body); // on HEAD, node writes the headers and drops the body
    } else if (typeof (body as Partial<Readable>).pipe === 'function') {
      sendStream(host, request, res, body as Readable);
    } else if (
      typeof (body as Partial<AsyncIterable<Uint8Array>>)[Symbol.asyncIterator] === 'function'
    ) {
      sendStream(host, request, res, Readable.from(body, { objectMode: false }));
    } else {
      throw new TypeError(
        `the response body is ${describe(body)}, expected a string, a Uint8Array or an async iterable of Uint8Array`,
      );
    }
  } catch (error) {
    fail(host, request, res, error);
  }
}

/**
 * Pipes a stream body. Not with `stream.pipeline`, which destroys the response, and with it
 * the socket, on any error: here a stream that fails before its first byte (a missing file)
 * still gets a 500; one that fails later cuts the connection, so the client sees a truncated
 * response, never a complete-looking one. A client that goes away destroys the stream.
 */
function sendStream(host: Host, request: RequestMap, res: ServerResponse, body: Readable): void {
  if (request.method === 'HEAD') {
    body.destroy();
    res.end();
    return;
  }
  body.once('error', (error) => {
    body.unpipe(res);
    fail(host, request, res, error, 'response body stream failed');
  });
  res.once('close', () => {
    if (!body.destroyed) body.destroy();
  });
  res.on('error', (error) => {
    log(host, 'debug', `node host: ${request.method} ${request.path}: ${error.message}`);
  });
  body.pipe(res);
}

/** Answers 500 and logs, or destroys the socket when the status is already on the wire. */
export function fail(
  host: Host,
  request: RequestMap,
  res: ServerResponse,
  error: unknown,
  what = 'handler failed',
): void {
  log(host, 'error', `node host: ${request.method} ${request.path}: ${what}`, error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  try {
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.statusCode = 500;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end('Internal Server Error');
  } catch {
    res.destroy();
  }
}

/** Logs without ever throwing: a failing logger must not take the server down. */
export function log(
  host: Host,
  level: 'debug' | 'warn' | 'error',
  message: string,
  error?: unknown,
): void {
  try {
    if (level === 'error') host.logger.error(message, error);
    else if (level === 'warn') host.logger.warn(message);
    else host.logger.debug?.(message);
  } catch {
    // nothing sensible is left to do
  }
}
