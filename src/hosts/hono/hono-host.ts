import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { JsonValue, RequestCookie, RequestMap, ResponseHeaders } from '../../core/types.ts';
import { Adapter, adapterOptionNames, changedHeaders, Exchange, isFormType } from '../adapter.ts';
import type { AdapterOptions } from '../adapter.ts';
import { BodyError, parseBody } from '../body.ts';
import { firstEntry, safeLog } from '../host-utils.ts';
import { booleanOption, integerOption } from '../../core/options.ts';
import { createRequestMap } from '../../core/request.ts';
import type { Session } from '../session-object.ts';
import {
  declaredTooLarge,
  readBody,
  refusal,
  requestHeaders,
  toResponse,
  tooLarge,
} from '../web.ts';

/**
 * Options of {@link sessionMiddleware}: `wrapDefaults`' (`session`, `cookies`, `csrf`), and
 * how to read the request.
 */
export interface HonoSessionOptions extends AdapterOptions {
  /**
   * The largest form body read for the CSRF check, in bytes; a larger one gets 413.
   * @default 1048576 (1 MiB)
   */
  bodyLimitBytes?: number | undefined;
  /**
   * Trust `X-Forwarded-Proto` for the request's scheme (the `Secure` flag in `'auto'` mode,
   * the CSRF origin check). Turn it on only behind a proxy that sets or overwrites it.
   * @default false
   */
  trustProxy?: boolean | undefined;
}

/** The context variables the middleware sets, for `new Hono<{ Variables: SessionVariables }>()`. */
export interface SessionVariables {
  /**
   * The session data, changed in place (`c.get('session').user = id`), with `regenerate()`
   * (login) and `destroy()` (logout).
   */
  session: Session;
  /** The flash the previous response set, seen by this request only. */
  flash: JsonValue | undefined;
  /** `c.set('nextFlash', value)`: the flash the next request sees. */
  nextFlash: JsonValue | undefined;
  /** The request cookies in Ring's shape, `{ name: { value } }`. */
  cookies: Record<string, RequestCookie>;
  /** A masked anti-forgery token for a form or an `X-CSRF-Token` header. */
  csrfToken: () => string;
}

/** The defaults of {@link HonoSessionOptions}' own options. */
export const honoSessionDefaults = Object.freeze({ bodyLimitBytes: 1_048_576, trustProxy: false });

const optionNames: readonly string[] = [...adapterOptionNames, 'bodyLimitBytes', 'trustProxy'];

/**
 * Sessions, flash, cookies and CSRF for Hono 4, as one middleware, on any runtime Hono runs
 * on (`@hono/node-server`, or as a plain Fetch app). Through the context:
 * `c.get('session')` (changed in place; `regenerate()`, `destroy()`), `c.get('flash')`
 * and `c.set('nextFlash', value)`, `c.get('cookies')` in Ring's shape, and
 * `c.get('csrfToken')()`. A posted form is read here (within `bodyLimitBytes`) for its
 * token and left in Hono's body cache, so `c.req.parseBody()` still works.
 *
 * The session is saved after the handler, before the response leaves the middleware chain.
 * A store that cannot read or write answers `onStoreError` (503); anything else that fails
 * goes to `app.onError`. A handler that throws saves nothing (as in Ring).
 *
 * @throws {SessionkitError} `invalid_option` for an invalid or unknown option.
 * @example
 * import { Hono } from 'hono';
 * import { sessionMiddleware } from 'sessionkit/hono';
 *
 * const app = new Hono().use(sessionMiddleware()); // configured from the environment
 * app.get('/login/:id', (c) => {
 *   const session = c.get('session');
 *   session.user = c.req.param('id');
 *   session.regenerate();
 *   return c.text('Welcome');
 * });
 */
export function sessionMiddleware(
  options: HonoSessionOptions = {},
): MiddlewareHandler<{ Variables: SessionVariables }> {
  const what = 'sessionMiddleware (hono)';
  const adapter = new Adapter(what, options, optionNames);
  const bodyLimitBytes = integerOption(
    what,
    'bodyLimitBytes',
    options.bodyLimitBytes,
    honoSessionDefaults.bodyLimitBytes,
  );
  const trustProxy = booleanOption(
    what,
    'trustProxy',
    options.trustProxy,
    honoSessionDefaults.trustProxy,
  );

  return createMiddleware<{ Variables: SessionVariables }>(async (c, next) => {
    const map = toRequestMap(c, trustProxy);
    if (needsForm(map, c.req.raw)) {
      try {
        await readForm(c, map, bodyLimitBytes);
      } catch (error) {
        if (!(error instanceof BodyError)) throw error;
        safeLog(
          adapter.logger,
          'debug',
          `sessionkit (hono): ${map.method} ${map.path} refused: ${error.message}`,
        );
        return refusal(error);
      }
    }
    const loaded = await adapter.load(map);
    if (!(loaded instanceof Exchange)) return toResponse(loaded, map.method, () => undefined);
    c.set('session', loaded.session as unknown as Session);
    c.set('flash', loaded.flash);
    c.set('cookies', loaded.map.cookies ?? {});
    c.set('csrfToken', loaded.csrfToken.bind(loaded));
    await next();
    // A handler that threw: Hono's onError answered; nothing is saved, as in Ring.
    if (c.error !== undefined) return;
    const nextFlash = c.get('nextFlash');
    if (nextFlash !== undefined) loaded.setFlash(nextFlash);
    const response = c.res;
    const before = headersOf(response.headers);
    const commit = await adapter.commit(loaded, response.status, before, c.get('session'));
    if (commit.replaced) {
      c.res = undefined; // so that Hono does not copy the application's headers onto it
      c.res = await toResponse(commit.response, map.method, () => undefined);
      return;
    }
    const changed = changedHeaders(before, commit.headers);
    if (changed.length === 0) return;
    try {
      apply(response.headers, changed);
    } catch {
      // Immutable headers (a `Response.redirect`, a fetched response): copy the response.
      c.res = new Response(response.body, response);
      apply(c.res.headers, changed);
    }
  });
}

function toRequestMap(c: Context, trustProxy: boolean): RequestMap {
  const raw = c.req.raw;
  const url = new URL(raw.url);
  let scheme: 'http' | 'https' = url.protocol === 'https:' ? 'https' : 'http';
  if (trustProxy) {
    const proto = firstEntry(raw.headers.get('x-forwarded-proto'));
    if (proto !== undefined) scheme = proto.toLowerCase() === 'https' ? 'https' : 'http';
  }
  return createRequestMap({
    method: raw.method,
    path: url.pathname,
    query: url.searchParams,
    headers: requestHeaders(raw.headers, url),
    scheme,
  });
}

function needsForm(map: RequestMap, raw: Request): boolean {
  const method = map.method;
  return (
    method !== 'GET' &&
    method !== 'HEAD' &&
    method !== 'OPTIONS' &&
    raw.body !== null &&
    isFormType(raw.headers.get('content-type'))
  );
}

/**
 * Reads a form body within the limit and parses it as the node host does; the bytes go to
 * Hono's body cache, from which `c.req.parseBody()`, `formData()` and `text()` read.
 */
async function readForm(c: Context, map: RequestMap, limit: number): Promise<void> {
  const raw = c.req.raw;
  if (declaredTooLarge(raw.headers, limit)) throw tooLarge(limit);
  const bytes = await readBody(raw, limit);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  // Hono types the cache by the body's type; it holds the promise of it.
  (c.req.bodyCache as unknown as { arrayBuffer?: Promise<ArrayBuffer> }).arrayBuffer =
    Promise.resolve(buffer as ArrayBuffer);
  if (bytes.length === 0) return;
  const parsed = parseBody(raw.headers.get('content-type') ?? undefined, bytes);
  if (parsed.form !== undefined) map.form = parsed.form;
}

/** A response's headers as a record: lower-case names, every Set-Cookie line in an array. */
function headersOf(headers: Headers): ResponseHeaders {
  const out: ResponseHeaders = {};
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies;
  return out;
}

function apply(headers: Headers, changed: [string, ResponseHeaders[string]][]): void {
  for (const [name, value] of changed) {
    if (typeof value === 'object') {
      headers.delete(name);
      for (const line of value) headers.append(name, line);
    } else headers.set(name, String(value));
  }
}
