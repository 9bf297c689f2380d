import { createServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invalidOption } from '../../core/errors.ts';
import { hasBody, readBody, toRequest, tooLarge } from './node-request.ts';
import { fail, log, refuse, run } from './node-response.ts';
import type { Handler, JsonValue, SessionData, SessionShape } from '../../core/types.ts';
import {
  hostOptionNames,
  nodeHostDefaults,
  resolveHost,
  resolveServer,
  serveOptionNames,
} from './options.ts';
import type { Host, NodeHostOptions, ServeOptions, Server } from './options.ts';

/**
 * Turns a handler into a `node:http` request listener. The request gets `method`, `path`
 * (raw, before `?`), `query`, `headers` (node's, lower-case names), `scheme`,
 * `remoteAddress`, and for a body (not on GET or HEAD) `form` or `body` as `parseBody`
 * gives them (unless `parseBody` opts the request out: `request.body` is then the unread
 * stream). A body over `bodyLimitBytes` gets 413, a malformed one 400; a handler that
 * returns no response (`undefined` or `null`: no route took the request) gets a 404
 * `Not Found`, logged at debug level; one that throws or rejects gets a 500
 * `Internal Server Error`, logged. Apply
 * the middleware (`wrapCookies`, `wrapSession`, …) to the handler first: this host sends
 * only `status`, `headers` and `body`.
 *
 * @throws {SessionkitError} `invalid_option` for an invalid or unknown option.
 * @example
 * import { createServer } from 'node:http';
 * const server = createServer(toNodeListener(app, { trustProxy: true }));
 * server.listen(3000);
 */
export function toNodeListener<S extends SessionShape<S> = SessionData, F = JsonValue>(
  handler: Handler<S, F>,
  options?: NodeHostOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const host = resolveHost(
    'toNodeListener',
    handler as unknown as Handler,
    options,
    hostOptionNames,
  );
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
    let eager: boolean;
    try {
      eager = host.parseBody(request);
    } catch (error) {
      fail(host, request, res, error, 'parseBody failed');
      return;
    }
    if (!eager) {
      request.body = req; // this route reads its own body, as a stream
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
 * (`EADDRINUSE`) rejects. Slow and idle clients are bounded by `requestTimeout`,
 * `headersTimeout` and `keepAliveTimeout`, and their number by `maxConnections` (security
 * case Q-10; defaults in `nodeHostDefaults`).
 *
 * @throws {SessionkitError} `invalid_option` for an invalid option.
 * @example
 * const server = await serve(app, { port: 3000 });
 * console.log(`listening on ${server.url}`);
 * // later
 * await server.close();
 */
export function serve<S extends SessionShape<S> = SessionData, F = JsonValue>(
  handler: Handler<S, F>,
  options?: ServeOptions,
): Promise<Server> {
  const host = resolveHost('serve', handler as unknown as Handler, options, serveOptionNames);
  const port = options?.port ?? nodeHostDefaults.port;
  const hostname = options?.hostname;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw invalidOption('serve', 'port', port, 'an integer from 0 to 65535');
  }
  if (hostname !== undefined && (typeof hostname !== 'string' || hostname === '')) {
    throw invalidOption('serve', 'hostname', hostname, 'a host name or IP address');
  }
  const { maxConnections, ...timeouts } = resolveServer(options);
  const server = createServer(timeouts, listenerFor(host));
  server.maxConnections = maxConnections;
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
