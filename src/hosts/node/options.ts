/** The node host's options, resolved once into a {@link Host}. */
import type { Server as HttpServer } from 'node:http';
import { invalidOption } from '../../core/errors.ts';
import { consoleLogger } from '../../core/logger.ts';
import { checkOptions } from '../../core/options.ts';
import type { Handler, Logger, RequestMap } from '../../core/types.ts';

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
   * Whether to read and parse a request's body before the handler runs (into `form` or
   * `body`, within `bodyLimitBytes`). Bodies are parsed before routing and before the CSRF
   * check, so any request can make the server parse up to `bodyLimitBytes`; a function,
   * given the request before its body is read, opts routes out (security case Q-08). For
   * such a request `request.body` is the unread request stream, an async iterable of
   * `Buffer` chunks: the handler reads it (or not) and applies its own limit, and
   * `bodyLimitBytes` does not apply. The CSRF check then finds no form field: send the token
   * in the `X-CSRF-Token` header.
   * @default true (every body is parsed)
   * @example
   * serve(app, { parseBody: (request) => !request.path.startsWith('/uploads/') });
   */
  parseBody?: boolean | ((request: RequestMap) => boolean) | undefined;
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
  /**
   * Node's `server.requestTimeout`: milliseconds a client has to send a whole request,
   * headers and body; then it gets 408 and the connection closes. 0 turns it off.
   * @default 30000 (Node's own is 300000)
   */
  requestTimeout?: number | undefined;
  /**
   * Node's `server.headersTimeout`: milliseconds a client has to send a request's headers
   * (slowloris); then 408. At most `requestTimeout`. The host checks about four times within
   * it, where Node alone checks every 30 seconds.
   * @default 20000 (Node's own is 60000)
   */
  headersTimeout?: number | undefined;
  /**
   * Node's `server.keepAliveTimeout`: milliseconds an idle keep-alive connection stays open
   * for the next request. 0 turns it off (every connection then lives as long as the socket
   * timeout allows).
   * @default 5000 (as Node)
   */
  keepAliveTimeout?: number | undefined;
  /**
   * Node's `server.maxConnections`: connections past this many are closed at once, without
   * an answer. Keep it below the process's file-descriptor limit (`ulimit -n`).
   * @default Infinity (no limit, as Node)
   */
  maxConnections?: number | undefined;
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
  parseBody: true,
  port: 3000,
  requestTimeout: 30_000,
  headersTimeout: 20_000,
  keepAliveTimeout: 5_000,
  maxConnections: Infinity,
});

/** {@link ServeOptions} resolved: what `serve` gives `http.createServer` and the server. */
export interface ServerSettings {
  readonly requestTimeout: number;
  readonly headersTimeout: number;
  readonly keepAliveTimeout: number;
  readonly maxConnections: number;
  /** How often node looks for requests past their timeouts (its own default is 30 s). */
  readonly connectionsCheckingInterval: number;
}

/** The options resolved once, frozen, plus the handler and the one-time warning's state. */
export interface Host {
  readonly handler: Handler;
  readonly bodyLimitBytes: number;
  readonly trustProxy: boolean;
  /** Whether to read and parse this request's body before the handler. */
  readonly parseBody: (request: RequestMap) => boolean;
  readonly logger: Logger;
}

export const hostOptionNames: readonly string[] = [
  'bodyLimitBytes',
  'trustProxy',
  'parseBody',
  'logger',
];
export const serveOptionNames: readonly string[] = [
  ...hostOptionNames,
  'port',
  'hostname',
  'requestTimeout',
  'headersTimeout',
  'keepAliveTimeout',
  'maxConnections',
];

export function resolveHost(
  what: string,
  handler: Handler,
  options: NodeHostOptions | undefined,
  known: readonly string[],
): Host {
  if (typeof handler !== 'function') throw invalidOption(what, 'handler', handler, 'a function');
  checkOptions(what, options, known);
  if (options === undefined) options = {};
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
  const { parseBody = nodeHostDefaults.parseBody } = options;
  if (typeof parseBody !== 'boolean' && typeof parseBody !== 'function') {
    throw invalidOption(what, 'parseBody', parseBody, 'true, false or a function of the request');
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
  return Object.freeze({
    handler,
    bodyLimitBytes,
    trustProxy,
    parseBody: typeof parseBody === 'function' ? parseBody : () => parseBody,
    logger,
  });
}

/** Checks `serve`'s timeouts and connection limit as node would, in our message shape. */
export function resolveServer(options: ServeOptions | undefined): ServerSettings {
  const milliseconds = (name: 'requestTimeout' | 'headersTimeout' | 'keepAliveTimeout') => {
    const value = options?.[name] ?? nodeHostDefaults[name];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw invalidOption('serve', name, value, 'a whole number of milliseconds, 0 or more');
    }
    return value;
  };
  const requestTimeout = milliseconds('requestTimeout');
  const headersTimeout = milliseconds('headersTimeout');
  const keepAliveTimeout = milliseconds('keepAliveTimeout');
  if (requestTimeout > 0 && headersTimeout > requestTimeout) {
    throw invalidOption(
      'serve',
      'headersTimeout',
      headersTimeout,
      `at most requestTimeout (${requestTimeout})`,
    );
  }
  const maxConnections = options?.maxConnections ?? nodeHostDefaults.maxConnections;
  if (
    !(maxConnections === Infinity || Number.isSafeInteger(maxConnections)) ||
    maxConnections < 1
  ) {
    throw invalidOption(
      'serve',
      'maxConnections',
      maxConnections,
      'a positive whole number or Infinity',
    );
  }
  // Node looks for late requests every 30 s by default, which would let a 200 ms
  // headersTimeout last half a minute: look about four times within the shortest timeout.
  const shortest = Math.min(...[headersTimeout, requestTimeout].filter((t) => t > 0), 120_000);
  const connectionsCheckingInterval = Math.max(25, Math.min(30_000, Math.floor(shortest / 4)));
  return {
    requestTimeout,
    headersTimeout,
    keepAliveTimeout,
    maxConnections,
    connectionsCheckingInterval,
  };
}
