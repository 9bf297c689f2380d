import { createServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invalidOption } from './errors.ts';
import { consoleLogger } from './logger.ts';
import { hasBody, readBody, toRequest, tooLarge } from './node-request.ts';
import { log, refuse, run } from './node-response.ts';
import type { Handler, Logger, SessionData } from './types.ts';

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

/** The options resolved once, frozen, plus the handler and the one-time warning's state. */
export interface Host {
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
