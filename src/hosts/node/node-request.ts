/**
 * The request half of the node host: a node `IncomingMessage` translated into a sessionkit
 * `RequestMap`, and its body read into memory within the host's limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { BodyError, parseBody } from '../body.ts';
import { firstEntry } from '../host-utils.ts';
import type { Host } from './options.ts';
import { refuse, run } from './node-response.ts';
import { createRequestMap } from '../../core/request.ts';
import type { RequestMap } from '../../core/types.ts';

/** The request as handlers see it; `X-Forwarded-*` read only when `trustProxy` is on. */
export function toRequest(host: Host, req: IncomingMessage): RequestMap {
  let target = req.url ?? '/';
  if (target.charCodeAt(0) !== 0x2f) target = originForm(target);
  const q = target.indexOf('?');
  const headers = req.headers;
  let scheme: 'http' | 'https' = (req.socket as TLSSocket).encrypted === true ? 'https' : 'http';
  let remoteAddress = req.socket.remoteAddress;
  if (host.trustProxy) {
    const proto = firstEntry(headers['x-forwarded-proto']);
    if (proto !== undefined) scheme = proto.toLowerCase() === 'https' ? 'https' : 'http';
    const forwardedFor = firstEntry(headers['x-forwarded-for']);
    if (forwardedFor !== undefined && forwardedFor !== '') remoteAddress = forwardedFor;
  }
  return createRequestMap({
    // llhttp accepts only upper-case method names, so no case conversion is needed.
    method: req.method ?? 'GET',
    path: q === -1 ? target : target.slice(0, q),
    query: new URLSearchParams(q === -1 ? '' : target.slice(q + 1)),
    headers,
    scheme,
    remoteAddress,
  });
}

/** The path and query of an absolute-form request target (`GET http://host/p?q`, RFC 9112 §3.2.2). */
function originForm(target: string): string {
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(target);
  if (match === null) return target; // `*` (OPTIONS) and authority-form (CONNECT)
  const rest = target.slice(match[0].length);
  return rest.charCodeAt(0) === 0x2f ? rest : `/${rest}`;
}

/** Whether the request announces a body (`Transfer-Encoding`, or a `Content-Length` over 0). */
export function hasBody(req: IncomingMessage): boolean {
  const headers = req.headers;
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && Number(length) > 0;
}

/** The 413 for a body over `bodyLimitBytes`. */
export function tooLarge(host: Host): BodyError {
  return new BodyError(413, `request body is larger than ${host.bodyLimitBytes} bytes`);
}

/**
 * Reads the body into memory, counting bytes as they arrive. Past the limit it answers 413
 * with `Connection: close` and keeps discarding what still arrives until node closes the
 * socket after that response, so the client can read the 413 and the socket is not left open.
 */
export function readBody(
  host: Host,
  request: RequestMap,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  const stop = (error: BodyError): void => {
    done = true;
    chunks.length = 0;
    refuse(host, request, res, error);
  };
  req.on('data', (chunk: Buffer) => {
    if (done) return;
    size += chunk.length;
    if (size > host.bodyLimitBytes) stop(tooLarge(host));
    else chunks.push(chunk);
  });
  req.on('error', (error) => {
    if (!done) stop(new BodyError(400, 'request body could not be read', { cause: error }));
  });
  req.on('close', () => {
    if (!done) stop(new BodyError(400, 'request body ended early'));
  });
  req.on('end', () => {
    if (done) return;
    done = true;
    if (size > 0) {
      try {
        const parsed = parseBody(req.headers['content-type'], Buffer.concat(chunks, size));
        if (parsed.form !== undefined) request.form = parsed.form;
        else request.body = parsed.body;
      } catch (error) {
        const bodyError =
          error instanceof BodyError
            ? error
            : new BodyError(400, 'malformed body', { cause: error });
        refuse(host, request, res, bodyError);
        return;
      }
    }
    chunks.length = 0;
    run(host, request, res);
  });
}
