import { cookieValues } from '../cookies/parse.ts';
import { serializeCookie } from '../cookies/serialize.ts';
import { invalidOption, SessionkitError } from '../core/errors.ts';
import { consoleLogger } from '../core/logger.ts';
import type { SessionStore, StoredSession } from './store.ts';
import type {
  CookieAttributes,
  Handler,
  Logger,
  Middleware,
  RequestMap,
  ResponseMap,
  SessionData,
} from '../core/types.ts';
import { appendSetCookie, withProperty, writeCookies } from '../cookies/wrap-cookies.ts';

/** Options of {@link wrapSession}. */
export interface SessionOptions {
  /** Where sessions live: `cookieStore(…)` (the default of `sessionOptionsFromEnv`), `memoryStore()`, … */
  store: SessionStore;
  /**
   * The session cookie's name. Names compare exactly (RFC 6265bis §5.7); the `__Host-`
   * prefix is recommended on HTTPS.
   * @default the store's `cookieName`, else `'session'`
   */
  cookieName?: string | undefined;
  /**
   * Session cookie attributes, merged over the defaults (Kit's effective attributes):
   * `{ path: '/', httpOnly: true, maxAge: 86400, sameSite: 'strict' }`.
   */
  cookieAttrs?: CookieAttributes | undefined;
  /**
   * `Secure` on the session cookie: `true` always (production), `false` never, `'auto'` when
   * the request came over HTTPS (or through a proxy the host was told to trust).
   * @default 'auto'
   */
  secure?: boolean | 'auto' | undefined;
  /**
   * The response when the store fails (it cannot read, write or delete). The request is not
   * served with a session that was silently lost (a store outage is never a silent logout).
   * @default a 503 `Service Unavailable` text response
   */
  onStoreError?:
    ((error: unknown, request: RequestMap) => ResponseMap | Promise<ResponseMap>) | undefined;
  /**
   * Where warnings and store errors go. Messages never contain cookie values.
   * @default console
   */
  logger?: Logger | undefined;
}

/** Kit's effective session cookie attributes: `Path=/; HttpOnly; Max-Age=86400; SameSite=Strict`. */
export const sessionCookieDefaults: Readonly<CookieAttributes> = Object.freeze({
  path: '/',
  httpOnly: true,
  maxAge: 86_400,
  sameSite: 'strict',
});

/**
 * At most this many cookies of the session's name are tried (security case P-01): enough
 * that cookies planted by a sibling subdomain cannot hide the real one, while Node's 16 KiB
 * header limit bounds the work anyway.
 */
const maxCandidates = 16;

/**
 * Ring's `wrap-session`. The request gets `session` (the stored data, or `{}`) and
 * `sessionKey`; the response's `session` is written (an object), deleted with its cookie
 * expired (`null`), or left alone (absent). `regenerateSession: true` moves the data to a
 * new key (login), `sessionCookieAttrs` sets cookie attributes for this response only.
 *
 * An anonymous request whose session is never written gets no cookie and no store write.
 * A session read while active is refreshed, throttled, so that its idle deadline slides.
 *
 * @example
 * const app = wrapSession({ store: cookieStore({ secrets: [process.env.COOKIE_SECRET!] }) })(
 *   (request) => ({ status: 200, body: 'hi', session: { ...request.session, visits: 1 } }),
 * );
 */
export function wrapSession<S extends SessionData = SessionData>(
  options: SessionOptions,
): Middleware<S> {
  const settings = resolve(options);
  return (handler: Handler<S>): Handler<S> =>
    (request: RequestMap<S>) =>
      handle(settings, handler, request);
}

interface Settings {
  readonly store: SessionStore;
  readonly name: string;
  readonly attrs: CookieAttributes;
  readonly secure: boolean | 'auto';
  /** `; Path=/; …` precomputed for the plain and the Secure cookie. */
  readonly suffix: string;
  readonly secureSuffix: string;
  readonly onStoreError: NonNullable<SessionOptions['onStoreError']>;
  readonly logger: Logger;
  warnedInsecure: boolean;
}

function resolve(options: SessionOptions): Settings {
  const { store } = options;
  if (
    typeof store?.read !== 'function' ||
    typeof store.write !== 'function' ||
    typeof store.touch !== 'function' ||
    typeof store.delete !== 'function'
  ) {
    throw invalidOption(
      'wrapSession',
      'store',
      store === undefined ? undefined : 'an object without read, write, touch and delete',
      'a SessionStore such as cookieStore(…) or memoryStore()',
    );
  }
  const name = options.cookieName ?? store.cookieName ?? 'session';
  if (store.cookieName !== undefined && store.cookieName !== name) {
    throw invalidOption(
      'wrapSession',
      'cookieName',
      name,
      `the name the store seals its values to (${JSON.stringify(store.cookieName)}); set the same cookieName on both`,
    );
  }
  const attrs: CookieAttributes = { ...sessionCookieDefaults, ...options.cookieAttrs };
  const prefixed = /^__(host|secure)-/i.test(name);
  const secure = prefixed ? true : (options.secure ?? attrs.secure ?? 'auto');
  if (secure !== true && secure !== false && secure !== 'auto') {
    throw invalidOption('wrapSession', 'secure', secure, "true, false or 'auto'");
  }
  // Serializing once here rejects bad attributes at start-up rather than on a request.
  const secureLine = secure === false ? '' : serializeCookie(name, 'x', { ...attrs, secure: true });
  const line = secure === true ? '' : serializeCookie(name, 'x', { ...attrs, secure: false });
  const logger = options.logger ?? consoleLogger;
  return {
    store,
    name,
    attrs,
    secure,
    suffix: line.slice(name.length + 2),
    secureSuffix: secureLine.slice(name.length + 2),
    onStoreError:
      options.onStoreError ??
      (() => ({
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' },
        body: 'Service Unavailable',
      })),
    logger,
    warnedInsecure: false,
  };
}

async function handle<S extends SessionData>(
  settings: Settings,
  handler: Handler<S>,
  request: RequestMap<S>,
): Promise<ResponseMap<S>> {
  const candidates = cookieValues(request.headers.cookie, settings.name);
  let key: string | undefined;
  let stored: StoredSession | undefined;
  try {
    for (let i = 0; i < candidates.length && i < maxCandidates; i++) {
      const candidate = candidates[i] as string;
      if (candidate === '') continue; // P-16: an empty cookie is no session, never a store key
      stored = await settings.store.read(candidate);
      if (stored !== undefined) {
        key = candidate;
        break;
      }
      settings.logger.debug?.(`sessionkit: ignored an invalid or expired ${settings.name} cookie`);
    }
  } catch (error) {
    return storeFailure(settings, error, request, 'read');
  }
  const data = (stored?.data ?? {}) as S;
  request.session = data;
  request.sessionKey = key;

  const result = handler(request);
  // A handler that answers synchronously costs no microtask turn here.
  const response = isThenable(result) ? await result : result;
  if (typeof response !== 'object' || response === null) {
    throw new TypeError(`wrapSession: the handler returned ${String(response)}, not a response`);
  }
  const step: Step = { operation: 'write' };
  let value: string | undefined;
  try {
    value = await save(settings, response, data, key, stored, candidates.length > 0, step);
  } catch (error) {
    if (error instanceof SessionkitError) throw error; // a programming error: the host's 500
    return storeFailure(settings, error, request, step.operation);
  }
  return respond(settings, request, response, value);
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as Partial<PromiseLike<T>> | null)?.then === 'function';
}

/** Which store operation `save` is in, for the failure log. */
interface Step {
  operation: 'write' | 'delete' | 'touch';
}

/** The store half: writes, deletes or touches; resolves to the session cookie's new value ('' expires it). */
async function save<S extends SessionData>(
  settings: Settings,
  response: ResponseMap<S>,
  data: S,
  key: string | undefined,
  stored: StoredSession | undefined,
  hadCookie: boolean,
  step: Step,
): Promise<string | undefined> {
  const { session, regenerateSession, sessionCookieAttrs } = response;
  if (sessionCookieAttrs?.domain !== undefined || sessionCookieAttrs?.path !== undefined) {
    // A cookie with another Domain or Path is another cookie: logout could not expire it.
    throw invalidOption(
      'wrapSession',
      'response.sessionCookieAttrs',
      'domain or path',
      'attributes other than domain and path, which belong in cookieAttrs',
    );
  }
  const { store } = settings;
  let value: string | undefined;
  if (regenerateSession === true && session !== null) {
    if (key !== undefined) {
      step.operation = 'delete';
      await store.delete(key);
      step.operation = 'write';
    }
    value = await store.write(undefined, session ?? data);
  } else if (session === null) {
    step.operation = 'delete';
    if (key !== undefined) await store.delete(key);
    if (hadCookie) value = '';
  } else if (session !== undefined) {
    const written = await store.write(key, session, stored?.createdAt);
    if (written !== key || stored?.stale === true) value = written;
  } else if (stored?.stale === true && key !== undefined) {
    step.operation = 'touch';
    value = await store.touch(key);
  }
  if (value === undefined && sessionCookieAttrs !== undefined && key !== undefined) value = key;
  return value;
}

/** The response half: the handler's response without the session keys, plus the session cookie. */
function respond<S extends SessionData>(
  settings: Settings,
  request: RequestMap<S>,
  response: ResponseMap<S>,
  value: string | undefined,
): ResponseMap<S> {
  const { session, regenerateSession, sessionCookieAttrs } = response;
  let out: ResponseMap<S> = response;
  if (
    session !== undefined ||
    regenerateSession !== undefined ||
    sessionCookieAttrs !== undefined
  ) {
    const { session: _s, regenerateSession: _r, sessionCookieAttrs: _a, ...rest } = response;
    out = rest;
  }
  if (session === null) {
    // Logout: nothing of the ended session may be served from a cache (security case L-15).
    out = withProperty(out, 'headers', { 'cache-control': 'no-store', ...out.headers });
  }
  if (value === undefined) return out.cookies === undefined ? out : writeCookies(out);
  if (out.cookies !== undefined && settings.name in out.cookies) {
    const { [settings.name]: _replaced, ...others } = out.cookies;
    out = { ...out, cookies: others };
  }
  if (out.cookies !== undefined) out = writeCookies(out);
  const line = sessionCookie(settings, request, value, sessionCookieAttrs);
  return withProperty(out, 'headers', appendSetCookie(out.headers, [line]));
}

function sessionCookie(
  settings: Settings,
  request: RequestMap,
  value: string,
  extra: CookieAttributes | undefined,
): string {
  const secure = settings.secure === 'auto' ? request.scheme === 'https' : settings.secure;
  if (secure && request.scheme === 'http' && !settings.warnedInsecure) {
    settings.warnedInsecure = true;
    settings.logger.warn(
      'sessionkit: a Secure session cookie was set on a plain-HTTP request; browsers other than on localhost ignore it. Serve over HTTPS, or set trustProxy on the host when a TLS proxy sits in front',
    );
  }
  if (value === '') {
    // Expire with the Path and Domain it was set with (RFC 6265bis §5.7 step 23).
    return serializeCookie(settings.name, '', {
      ...settings.attrs,
      ...extra,
      secure,
      maxAge: 0,
    });
  }
  if (extra === undefined)
    return `${settings.name}=${value}${secure ? settings.secureSuffix : settings.suffix}`;
  return serializeCookie(settings.name, value, { ...settings.attrs, ...extra, secure });
}

async function storeFailure<S extends SessionData>(
  settings: Settings,
  error: unknown,
  request: RequestMap<S>,
  operation: string,
): Promise<ResponseMap<S>> {
  settings.logger.error(`sessionkit: the session store failed to ${operation}`, error);
  return (await settings.onStoreError(error, request)) as ResponseMap<S>;
}
