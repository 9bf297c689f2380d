import { createServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { BodyError, parseBody } from './body.ts';
import { describe, invalidOption } from './errors.ts';
import type { Handler, Logger, Request, Response, SessionData } from './types.ts';

/** Options of {@link toNodeListener} (and {@link serve}). */
export interface NodeHostOptions {
  /**
   * The largest request body read, in bytes; a larger one gets 413 and is not read further.
   * @default 1048576 (1 MiB)
   */
  bodyLimitBytes?: number | undefined;
  /**
   * Trust `X-Forwarded-Proto` (when present, its first entry decides `request.scheme`:
   * `https` → `'https'`, anything else → `'http'`) and the first entry of `X-Forwarded-For`
   * (becomes `request.remoteAddress`). Turn it on only behind a proxy that sets or
   * overwrites both headers; when off they are ignored.
   * @default false
   */
  trustProxy?: boolean | undefined;
  /**
   * Where failures are reported (a handler that throws, a stream that fails).
   * @default a console logger: `warn` → `console.warn`, `error` → `console.error`, no `debug`
   */
  logger?: Logger | undefined;
}

/** Options of {@link serve}: the host's options plus where to listen. */
export interface ServeOptions extends NodeHostOptions {
  /**
   * The TCP port; `0` picks a free one (read it from {@link Server.port}).
   * @default 3000
   */
  port?: number | undefined;
  /**
   * The address to listen on, e.g. `'127.0.0.1'` for this machine only.
   * @default undefined: Node's default, every interface (`::` or `0.0.0.0`)
   */
  hostname?: string | undefined;
}

/** A listening server, as {@link serve} resolves it. */
export interface Server {
  /** The port it listens on (the one picked when `port` was `0`). */
  readonly port: number;
  /** Its base URL, e.g. `http://127.0.0.1:3000` (`localhost` when listening on every interface). */
  readonly url: string;
  /** The underlying node:http server. */
  readonly httpServer: HttpServer;
  /**
   * Stops listening and ends every connection, idle keep-alive ones and ones with a request
   * in flight alike. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/** The defaults of {@link NodeHostOptions} and {@link ServeOptions}. */
export const nodeHostDefaults = Object.freeze({
  bodyLimitBytes: 1_048_576,
  trustProxy: false,
  port: 3000,
});

const consoleLogger: Logger = Object.freeze({
  warn(message: string): void {
    console.warn(message);
  },
  error(message: string, error?: unknown): void {
    if (error === undefined) console.error(message);
    else console.error(message, error);
  },
});

/** The options resolved once, frozen, plus the handler and the one-time warning's state. */
interface Host {
  readonly handler: Handler;
  readonly bodyLimitBytes: number;
  readonly trustProxy: boolean;
  readonly logger: Logger;
  readonly warned: { cookies: boolean };
}

const hostOptionNames: readonly string[] = ['bodyLimitBytes', 'trustProxy', 'logger'];
const serveOptionNames: readonly string[] = [...hostOptionNames, 'port', 'hostname'];

function resolveHost(
  what: string,
  handler: Handler,
  options: NodeHostOptions | undefined,
  known: readonly string[],
): Host {
  if (typeof handler !== 'function') throw invalidOption(what, 'handler', handler, 'a function');
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null) {
    throw invalidOption(what, 'options', options, 'an object or undefined');
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw invalidOption(
        what,
        key,
        (options as Record<string, unknown>)[key],
        `one of ${known.join(', ')} (unknown option)`,
      );
    }
  }
  const { bodyLimitBytes = nodeHostDefaults.bodyLimitBytes } = options;
  const { trustProxy = nodeHostDefaults.trustProxy, logger = consoleLogger } = options;
  if (!Number.isSafeInteger(bodyLimitBytes) || bodyLimitBytes < 0) {
    throw invalidOption(
      what,
      'bodyLimitBytes',
      bodyLimitBytes,
      'a non-negative integer number of bytes',
    );
  }
  if (typeof trustProxy !== 'boolean') {
    throw invalidOption(what, 'trustProxy', trustProxy, 'true or false');
  }
  if (
    typeof logger !== 'object' ||
    logger === null ||
    typeof logger.warn !== 'function' ||
    typeof logger.error !== 'function' ||
    (logger.debug !== undefined && typeof logger.debug !== 'function')
  ) {
    throw invalidOption(what, 'logger', logger, 'an object with warn and error methods');
  }
  return Object.freeze({ handler, bodyLimitBytes, trustProxy, logger, warned: { cookies: false } });
}

/**
 * Turns a handler into a `node:http` request listener. The request gets `method`, `path`
 * (raw, before `?`), `query`, `headers` (node's, lower-case names), `scheme`,
 * `remoteAddress`, and for a body (not on GET or HEAD) `form` or `body` as `parseBody`
 * gives them. A body over `bodyLimitBytes` gets 413, a malformed one 400; a handler that
 * throws, rejects or returns no response gets a 500 `Internal Server Error`, logged. Apply
 * the middleware (`wrapCookies`, `wrapSession`, …) to the handler first: this host sends
 * only `status`, `headers` and `body`.
 *
 * @throws {SessionkitError} `invalid_option` for an invalid or unknown option.
 * @example
 * import { createServer } from 'node:http';
 * const server = createServer(toNodeListener(app, { trustProxy: true }));
 * server.listen(3000);
 */
export function toNodeListener<S extends SessionData = SessionData>(
  handler: Handler<S>,
  options?: NodeHostOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const host = resolveHost('toNodeListener', handler as Handler, options, hostOptionNames);
  return listenerFor(host);
}

function listenerFor(host: Host): (req: IncomingMessage, res: ServerResponse) => void {
  return function sessionkitListener(req, res) {
    const request = toRequest(host, req);
    const method = request.method;
    if (method === 'GET' || method === 'HEAD' || !hasBody(req)) {
      run(host, request, res);
      return;
    }
    const length = req.headers['content-length'];
    if (length !== undefined && Number(length) > host.bodyLimitBytes) {
      refuse(host, request, res, tooLarge(host));
      return;
    }
    readBody(host, request, req, res);
  };
}

/**
 * Starts an HTTP server for the handler and resolves once it listens. Options are checked
 * before anything starts: an invalid one throws synchronously; a failure to listen
 * (`EADDRINUSE`) rejects.
 *
 * @throws {SessionkitError} `invalid_option` for an invalid option.
 * @example
 * const server = await serve(app, { port: 3000 });
 * console.log(`listening on ${server.url}`);
 * // later
 * await server.close();
 */
export function serve<S extends SessionData = SessionData>(
  handler: Handler<S>,
  options?: ServeOptions,
): Promise<Server> {
  const host = resolveHost('serve', handler as Handler, options, serveOptionNames);
  const port = options?.port ?? nodeHostDefaults.port;
  const hostname = options?.hostname;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw invalidOption('serve', 'port', port, 'an integer from 0 to 65535');
  }
  if (hostname !== undefined && (typeof hostname !== 'string' || hostname === '')) {
    throw invalidOption('serve', 'hostname', hostname, 'a host name or IP address');
  }
  const server = createServer(listenerFor(host));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(hostname === undefined ? { port } : { port, host: hostname }, () => {
      server.off('error', reject);
      server.on('error', (error) => log(host, 'error', 'node host: server error', error));
      resolve(listening(server, hostname));
    });
  });
}

function listening(server: HttpServer, hostname: string | undefined): Server {
  const { port } = server.address() as AddressInfo;
  let host =
    hostname === undefined || hostname === '::' || hostname === '0.0.0.0' ? 'localhost' : hostname;
  if (host.includes(':')) host = `[${host}]`;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${host}:${port}`,
    httpServer: server,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function toRequest(host: Host, req: IncomingMessage): Request {
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
  return {
    // llhttp accepts only upper-case method names, so no case conversion is needed.
    method: req.method ?? 'GET',
    path: q === -1 ? target : target.slice(0, q),
    query: new URLSearchParams(q === -1 ? '' : target.slice(q + 1)),
    headers,
    scheme,
    remoteAddress,
  };
}

/** The path and query of an absolute-form request target (`GET http://host/p?q`, RFC 9112 §3.2.2). */
function originForm(target: string): string {
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(target);
  if (match === null) return target; // `*` (OPTIONS) and authority-form (CONNECT)
  const rest = target.slice(match[0].length);
  return rest.charCodeAt(0) === 0x2f ? rest : `/${rest}`;
}

function firstEntry(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : value[0];
  if (text === undefined) return undefined;
  const comma = text.indexOf(',');
  return (comma === -1 ? text : text.slice(0, comma)).trim();
}

function hasBody(req: IncomingMessage): boolean {
  const headers = req.headers;
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && Number(length) > 0;
}

function tooLarge(host: Host): BodyError {
  return new BodyError(413, `request body is larger than ${host.bodyLimitBytes} bytes`);
}

/**
 * Reads the body into memory, counting bytes as they arrive. Past the limit it answers 413
 * with `Connection: close` and keeps discarding what still arrives until node closes the
 * socket after that response, so the client can read the 413 and the socket is not left open.
 */
function readBody(host: Host, request: Request, req: IncomingMessage, res: ServerResponse): void {
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

function refuse(host: Host, request: Request, res: ServerResponse, error: BodyError): void {
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

function run(host: Host, request: Request, res: ServerResponse): void {
  let result: Response | Promise<Response>;
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
function send(host: Host, request: Request, res: ServerResponse, response: unknown): void {
  if (
    typeof response !== 'object' ||
    response === null ||
    typeof (response as Response).status !== 'number'
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
  const { status, headers, body, cookies } = response as Response;
  if (cookies !== undefined && !host.warned.cookies && hasKeys(cookies)) {
    host.warned.cookies = true;
    log(
      host,
      'warn',
      'node host: response.cookies is set but wrapCookies is not applied, so no cookie was sent (logged once)',
    );
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
      sendStream(host, request, res, body);
    } else {
      throw new TypeError(
        `the response body is ${describe(body)}, expected a string, a Uint8Array or a Readable`,
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
function sendStream(host: Host, request: Request, res: ServerResponse, body: Readable): void {
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
function fail(
  host: Host,
  request: Request,
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
function log(
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

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}
