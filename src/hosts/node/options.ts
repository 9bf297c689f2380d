/** The node host's options, resolved once into a {@link Host}. */
import type { Server as HttpServer } from 'node:http';
import { invalidOption } from '../../core/errors.ts';
import { consoleLogger } from '../../core/logger.ts';
import { checkOptions } from '../../core/options.ts';
import type { Handler, Logger } from '../../core/types.ts';

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
}

export const hostOptionNames: readonly string[] = ['bodyLimitBytes', 'trustProxy', 'logger'];
export const serveOptionNames: readonly string[] = [...hostOptionNames, 'port', 'hostname'];

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
  if (
    typeof logger !== 'object' ||
    logger === null ||
    typeof logger.warn !== 'function' ||
    typeof logger.error !== 'function' ||
    (logger.debug !== undefined && typeof logger.debug !== 'function')
  ) {
    throw invalidOption(what, 'logger', logger, 'an object with warn and error methods');
  }
  return Object.freeze({ handler, bodyLimitBytes, trustProxy, logger });
}
