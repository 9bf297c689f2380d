/**
 * The request map a host builds. `cookies` and `session` exist only once `wrapCookies` and
 * `wrapSession` have run; reading either before that throws `missing_middleware` naming the
 * fix, instead of giving `undefined` that a handler would take for "no cookies" or "no
 * session".
 */
import { SessionkitError } from './errors.ts';
import type {
  FormFields,
  RequestCookie,
  RequestHeaders,
  RequestMap,
  SessionData,
} from './types.ts';

/** What a host knows about a request before any middleware runs. */
export interface HostRequestInit {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: RequestHeaders;
  scheme: 'http' | 'https';
  remoteAddress?: string | undefined;
}

const unset: unique symbol = Symbol('unset');

function missing(field: string, middleware: string): SessionkitError {
  return new SessionkitError(
    'missing_middleware',
    `request.${field} is read but ${middleware} has not run: apply it around the handler, as in compose(wrapCookies(), wrapSession(), wrapFlash(), wrapCsrf())(routes), or use wrapDefaults()`,
  );
}

class HostRequest implements RequestMap {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: RequestHeaders;
  scheme: 'http' | 'https';
  remoteAddress: string | undefined;
  params: Record<string, string> | undefined = undefined;
  form: FormFields | undefined = undefined;
  body: unknown = undefined;
  sessionKey: string | undefined = undefined;
  #cookies: Record<string, RequestCookie> | undefined | typeof unset = unset;
  #session: SessionData | undefined | typeof unset = unset;

  constructor(init: HostRequestInit) {
    this.method = init.method;
    this.path = init.path;
    this.query = init.query;
    this.headers = init.headers;
    this.scheme = init.scheme;
    this.remoteAddress = init.remoteAddress;
  }

  get cookies(): Record<string, RequestCookie> | undefined {
    const cookies = this.#cookies;
    if (cookies === unset) throw missing('cookies', 'wrapCookies');
    return cookies;
  }

  set cookies(cookies: Record<string, RequestCookie> | undefined) {
    this.#cookies = cookies;
  }

  get session(): SessionData | undefined {
    const session = this.#session;
    if (session === unset) throw missing('session', 'wrapSession');
    return session;
  }

  set session(session: SessionData | undefined) {
    this.#session = session;
  }

  /** Whether `cookies` has been set, without the throw of reading it. */
  static hasCookies(request: HostRequest): boolean {
    return request.#cookies !== unset;
  }

  /** What `JSON.stringify` and logs see: the fields set so far, none of them thrown. */
  toJSON(): Record<string, unknown> {
    const { ...fields } = this;
    if (this.#cookies !== unset) Object.assign(fields, { cookies: this.#cookies });
    if (this.#session !== unset) Object.assign(fields, { session: this.#session });
    return fields;
  }
}

/**
 * Whether a middleware already put `cookies` on the request (Ring's wrap-cookies parses only
 * when it is absent). Never throws, whoever built the request.
 */
export function hasCookies(request: RequestMap): boolean {
  return request instanceof HostRequest
    ? HostRequest.hasCookies(request)
    : request.cookies !== undefined;
}

/**
 * A request map for a host to hand to the middleware. Middleware and handlers add to it in
 * place (`params`, `form`, `body`, `cookies`, `session`, `flash`, `csrfToken`).
 */
export function createRequestMap(init: HostRequestInit): RequestMap {
  return new HostRequest(init);
}
