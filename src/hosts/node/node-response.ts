/**
 * The response half of the node host: runs the handler and writes what it returns (or a 400,
 * 413, 415 or 500) to a node `ServerResponse`, logging through the host's logger.
 */
import type { OutgoingHttpHeader, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { refusalText } from '../body.ts';
import type { BodyError } from '../body.ts';
import { safeLog } from '../host-utils.ts';
import { describe } from '../../core/errors.ts';
import { leftoverError } from '../../core/placement.ts';
import { notFound } from '../../core/response.ts';
import type { Host } from './options.ts';
import type { HandlerResult, RequestMap, ResponseMap } from '../../core/types.ts';

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
  res.end(refusalText(error.status));
}

/**
 * Calls the handler and sends its response: a 404 when it gives none (`undefined` or `null`,
 * Ring's `nil`: no route took the request), a 500 when it throws or rejects.
 */
export function run(host: Host, request: RequestMap, res: ServerResponse): void {
  let result: HandlerResult | Promise<HandlerResult>;
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
  if (response === undefined || response === null) {
    log(host, 'debug', `node host: ${request.method} ${request.path}: no response; answered 404`);
    response = notFound();
  }
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
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const lines = headerLines(res, status, headers, body);
      if (lines !== undefined) {
        res.writeHead(status, lines);
        res.end(body); // on HEAD, node writes the headers and drops the body
        return;
      }
    }
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
 * The headers of a response with a string or byte body as one flat `[name, value, …]` list
 * for a single `writeHead`, with the `Content-Length` node would add in `end(body)`; or
 * undefined where that would not give exactly what `setHeader` for each header and
 * `end(body)` give, which is then used instead.
 *
 * `setHeader` costs a validation, a lower-cased copy of the name and an entry object per
 * header, and node walks those entries again to write them; `writeHead` with the list
 * validates each header once while writing it. Measured on the read-write benchmark route,
 * 4 to 9 % less server CPU per request. Node validates names and values the same way on both
 * paths, so an invalid header still throws before anything is sent.
 *
 * Left to the `setHeader` path: HTTP versions other than 1.1 (node adds no Content-Length for
 * HTTP/1.0 clients, and the HTTP/2 compatibility API has its own rules), a name given twice
 * in different cases (`setHeader` keeps the last), `Content-Disposition` (node re-encodes it
 * as latin1 once it knows the length), and more than 32 headers.
 */
function headerLines(
  res: ServerResponse,
  status: number,
  headers: ResponseMap['headers'],
  body: string | Uint8Array,
): OutgoingHttpHeader[] | undefined {
  const { req } = res;
  if (req.httpVersionMajor !== 1 || req.httpVersionMinor !== 1) return undefined;
  const lines: OutgoingHttpHeader[] = [];
  // What end(body) does not add a Content-Length to (node's _storeHeader): a response that
  // has no body (HEAD, 204, 304, 1xx) or one that already says how it is framed.
  let framed =
    req.method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
  if (headers !== undefined) {
    // Lower-cased names so far: a plain array, searched linearly, as responses carry a handful
    // of headers; past 32 the setHeader path takes over.
    const seen: string[] = [];
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined) continue;
      const lower = name.toLowerCase();
      if (lower === 'content-disposition' || seen.length === 32 || seen.includes(lower)) {
        return undefined;
      }
      if (lower === 'content-length' || lower === 'transfer-encoding') framed = true;
      seen.push(lower);
      // Node reads the arrays and changes none (Content-Disposition, which it would, is excluded).
      lines.push(name, value as OutgoingHttpHeader);
    }
  }
  if (!framed) {
    lines.push(
      'Content-Length',
      typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
    );
  }
  return lines;
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
    // A writeHead that threw on an invalid header had already set the reason phrase of the
    // handler's status; cleared, node gives 500's own.
    res.statusMessage = '';
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end('Internal Server Error');
  } catch {
    res.destroy();
  }
}

/** Logs through the host's logger without ever throwing. */
export function log(
  host: Host,
  level: 'debug' | 'warn' | 'error',
  message: string,
  error?: unknown,
): void {
  safeLog(host.logger, level, message, error);
}
