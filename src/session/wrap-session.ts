import { cookieValues } from '../cookies/parse.ts';
import { checkCookieAttrs, serializeCookie } from '../cookies/serialize.ts';
import { invalidOption, SessionkitError } from '../core/errors.ts';
import { consoleLogger } from '../core/logger.ts';
import { booleanOption, checkOptions, functionOption, loggerOption } from '../core/options.ts';
import { sessionDefaults } from './defaults.ts';
import { decodeSessionKey, encodeSessionKey } from './session-key.ts';
import type { SessionStore, StoredSession } from './store.ts';
import type {
  CookieAttrs,
  JsonValue,
  Logger,
  Middleware,
  RequestMap,
  ResponseCookie,
  ResponseMap,
  SessionData,
  SessionShape,
} from '../core/types.ts';
import { writeCookies } from '../cookies/wrap-cookies.ts';
import { appendSetCookie, defaultHeader, withProperty } from '../core/headers.ts';
import { isNoResponse, wrapHalves } from '../core/halves.ts';
import type { Halves } from '../core/halves.ts';

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
  cookieAttrs?: CookieAttrs | undefined;
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
   * Ring's `:set-cookies?`. `false` leaves the session cookie (the store key as its value,
   * with its attributes) and the handler's cookies in `response.cookies`, for a
   * `wrapCookies` outside this middleware to write: its `encode` then applies to the
   * session cookie too, and must be one that percent-decoding reverses (the default is).
   * @default true
   */
  setCookies?: boolean | undefined;
  /**
   * Where warnings and store errors go. Messages never contain cookie values.
   * @default console
   */
  logger?: Logger | undefined;
}

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
export function wrapSession<S extends SessionShape<S> = SessionData, F = JsonValue>(
  options: SessionOptions,
): Middleware<S, F> {
  return wrapHalves<S, F>(sessionHalves(options));
}

/**
 * `wrapSession`'s two halves, for a host adapter that cannot wrap a handler: `request` reads
 * the session (or answers 503 when the store cannot), `response` writes, deletes or touches
 * it and adds the session cookie.
 */
export function sessionHalves(options: SessionOptions): Halves {
  const settings = resolve(options);
  return {
    role: 'session',
    request: (request) => sessionRequest(settings, request),
    response: (response, request) => sessionResponse(settings, response, request),
  };
}

interface Settings {
  readonly store: SessionStore;
  readonly name: string;
  readonly attrs: CookieAttrs;
  readonly secure: boolean | 'auto';
  /** `; Path=/; …` precomputed for the plain and the Secure cookie. */
  readonly suffix: string;
  readonly secureSuffix: string;
  /** Ring's `:set-cookies?`: false leaves the session cookie in `response.cookies`. */
  readonly setCookies: boolean;
  /** The store key as the cookie carries it (S-19). */
  readonly encodeKey: (key: string) => string;
  readonly onStoreError: NonNullable<SessionOptions['onStoreError']>;
  readonly logger: Logger;
  warnedInsecure: boolean;
}

const sessionOptionNames = [
  'store',
  'cookieName',
  'cookieAttrs',
  'secure',
  'onStoreError',
  'setCookies',
  'logger',
] as const;

function resolve(options: SessionOptions): Settings {
  checkOptions('wrapSession', options, sessionOptionNames, {
    cookieAttributes: 'cookieAttrs',
    'cookie-attrs': 'cookieAttrs',
    'cookie-name': 'cookieName',
    'set-cookies?': 'setCookies',
  });
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
  const name = options.cookieName ?? store.cookieName ?? sessionDefaults.cookieName;
  if (store.cookieName !== undefined && store.cookieName !== name) {
    throw invalidOption(
      'wrapSession',
      'cookieName',
      name,
      `the name the store seals its values to (${JSON.stringify(store.cookieName)}); set the same cookieName on both`,
    );
  }
  if (
    options.cookieAttrs !== undefined &&
    (typeof options.cookieAttrs !== 'object' || options.cookieAttrs === null)
  ) {
    throw invalidOption(
      'wrapSession',
      'cookieAttrs',
      options.cookieAttrs,
      'an object of cookie attributes',
    );
  }
  if (options.cookieAttrs !== undefined) {
    checkCookieAttrs('wrapSession', 'cookieAttrs', options.cookieAttrs);
  }
  const attrs: CookieAttrs = { ...sessionDefaults.cookieAttrs, ...options.cookieAttrs };
  const prefixed = /^__(host|secure)-/i.test(name);
  const secure = prefixed ? true : (options.secure ?? attrs.secure ?? sessionDefaults.secure);
  if (secure !== true && secure !== false && secure !== 'auto') {
    throw invalidOption('wrapSession', 'secure', secure, "true, false or 'auto'");
  }
  // Serializing once here rejects bad attributes at start-up rather than on a request.
  const secureLine = secure === false ? '' : serializeCookie(name, 'x', { ...attrs, secure: true });
  const line = secure === true ? '' : serializeCookie(name, 'x', { ...attrs, secure: false });
  const logger = loggerOption('wrapSession', options.logger, consoleLogger);
  const safeKeys = booleanOption(
    'wrapSession',
    'store.cookieSafeKeys',
    store.cookieSafeKeys,
    false,
  );
  return {
    store,
    encodeKey: safeKeys ? (key) => key : encodeSessionKey,
    setCookies: booleanOption('wrapSession', 'setCookies', options.setCookies, true),
    name,
    attrs,
    secure,
    suffix: line.slice(name.length + 2),
    secureSuffix: secureLine.slice(name.length + 2),
    onStoreError:
      functionOption<NonNullable<SessionOptions['onStoreError']>>(
        'wrapSession',
        'onStoreError',
        options.onStoreError,
      ) ??
      (() => ({
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' },
        body: 'Service Unavailable',
      })),
    logger,
    warnedInsecure: false,
  };
}

/** What the request half learnt, for the response half. */
interface State {
  readonly stored: StoredSession | undefined;
  /** The request carried a cookie of the session's name: a logout must expire it. */
  readonly hadCookie: boolean;
}

const state = Symbol('sessionkit.session');
type WithState = RequestMap & { [state]?: State };

/** A store operation that failed (the store is down), with the operation's name for the log. */
class StoreFailure extends Error {
  constructor(
    readonly operation: 'read' | 'write' | 'delete' | 'touch',
    readonly error: unknown,
  ) {
    super(`the session store failed to ${operation}`, { cause: error });
  }
}

/**
 * Awaits a store call, marking its rejection as a store failure (503), except a
 * `SessionkitError`: data that cannot be stored (`unserializable_session`, `cookie_too_large`)
 * is a programming error, which the host answers with 500.
 */
async function attempt<T>(operation: StoreFailure['operation'], work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw error instanceof SessionkitError ? error : new StoreFailure(operation, error);
  }
}

async function sessionRequest(
  settings: Settings,
  request: WithState,
): Promise<ResponseMap | undefined> {
  const candidates = cookieValues(request.headers.cookie, settings.name);
  let key: string | undefined;
  let stored: StoredSession | undefined;
  try {
    for (let i = 0; i < candidates.length && i < maxCandidates; i++) {
      // S-19: the key as the store issued it; malformed escapes cannot be a key we wrote.
      const candidate = decodeSessionKey(candidates[i]!);
      if (candidate === '' || candidate === undefined) continue; // P-16: never a store key
      stored = await settings.store.read(candidate);
      if (stored !== undefined) {
        key = candidate;
        break;
      }
      settings.logger.debug?.(`sessionkit: ignored an invalid or expired ${settings.name} cookie`);
    }
  } catch (error) {
    return storeFailure(settings, new StoreFailure('read', error), request);
  }
  request.session = stored?.data ?? {};
  request.sessionKey = key;
  request[state] = { stored, hadCookie: candidates.length > 0 };
  return undefined;
}

async function sessionResponse(
  settings: Settings,
  response: ResponseMap,
  request: WithState,
): Promise<ResponseMap> {
  if (isNoResponse(response)) return response; // Ring's nil passes through: no write, no cookie
  if (typeof response !== 'object') {
    throw new TypeError(`wrapSession: the handler returned ${String(response)}, not a response`);
  }
  let value: string | undefined;
  try {
    value = await save(settings, response, request);
  } catch (error) {
    if (!(error instanceof StoreFailure)) throw error; // a programming error: the host's 500
    return storeFailure(settings, error, request);
  }
  return respond(settings, request, response, value);
}

/** The store half: writes, deletes or touches; resolves to the session cookie's new value ('' expires it). */
async function save(
  settings: Settings,
  response: ResponseMap,
  request: WithState,
): Promise<string | undefined> {
  const { session, regenerateSession, sessionCookieAttrs } = response;
  if (sessionCookieAttrs !== undefined) {
    checkCookieAttrs('wrapSession', 'response.sessionCookieAttrs', sessionCookieAttrs);
  }
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
  const key = request.sessionKey;
  const { stored, hadCookie } = request[state] ?? { stored: undefined, hadCookie: false };
  let value: string | undefined;
  if (regenerateSession === true && session !== null) {
    if (key !== undefined) await attempt('delete', store.delete(key));
    value = await attempt('write', store.write(undefined, session ?? request.session ?? {}));
  } else if (session === null) {
    if (key !== undefined) await attempt('delete', store.delete(key));
    if (hadCookie) value = '';
  } else if (session !== undefined) {
    const written = await attempt('write', store.write(key, session, stored?.createdAt));
    if (written !== key || stored?.stale === true) value = written;
  } else if (stored?.stale === true && key !== undefined) {
    value = await attempt('touch', store.touch(key));
  }
  if (value === undefined && sessionCookieAttrs !== undefined && key !== undefined) value = key;
  return value;
}

/** The response half: the handler's response without the session keys, plus the session cookie. */
function respond(
  settings: Settings,
  request: RequestMap,
  response: ResponseMap,
  value: string | undefined,
): ResponseMap {
  const { session, regenerateSession, sessionCookieAttrs } = response;
  let out: ResponseMap = response;
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
    out = withProperty(out, 'headers', defaultHeader(out.headers, 'cache-control', 'no-store'));
  }
  if (!settings.setCookies) {
    // Ring's :set-cookies? false: everything stays in response.cookies for an outer
    // wrapCookies, the session cookie replacing a handler cookie of its name.
    if (value === undefined) return out;
    const cookie = sessionCookieEntry(settings, request, value, sessionCookieAttrs);
    return withProperty(out, 'cookies', { ...out.cookies, [settings.name]: cookie });
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

/** Whether this response's session cookie is Secure; warns once when that cannot work. */
function secureFor(settings: Settings, request: RequestMap): boolean {
  const secure = settings.secure === 'auto' ? request.scheme === 'https' : settings.secure;
  if (secure && request.scheme === 'http' && !settings.warnedInsecure) {
    settings.warnedInsecure = true;
    settings.logger.warn(
      'sessionkit: a Secure session cookie was set on a plain-HTTP request; browsers other than on localhost ignore it. Serve over HTTPS, or set trustProxy on the host when a TLS proxy sits in front',
    );
  }
  return secure;
}

/**
 * The session cookie for `response.cookies` (`setCookies: false`): the store key as its
 * value, which the outer wrapCookies encodes; `''` expires it.
 */
function sessionCookieEntry(
  settings: Settings,
  request: RequestMap,
  value: string,
  extra: CookieAttrs | undefined,
): ResponseCookie {
  const secure = secureFor(settings, request);
  return value === ''
    ? { ...settings.attrs, ...extra, secure, maxAge: 0, value }
    : { ...settings.attrs, ...extra, secure, value };
}

/** The session cookie's Set-Cookie line; `''` expires it. */
function sessionCookie(
  settings: Settings,
  request: RequestMap,
  value: string,
  extra: CookieAttrs | undefined,
): string {
  const secure = secureFor(settings, request);
  if (value === '') {
    // Expire with the Path and Domain it was set with (RFC 6265bis §5.7 step 23).
    return serializeCookie(settings.name, '', {
      ...settings.attrs,
      ...extra,
      secure,
      maxAge: 0,
    });
  }
  // S-19: one encoding of the store key on every path.
  if (extra === undefined) {
    return `${settings.name}=${settings.encodeKey(value)}${secure ? settings.secureSuffix : settings.suffix}`;
  }
  return serializeCookie(
    settings.name,
    value,
    { ...settings.attrs, ...extra, secure },
    settings.encodeKey,
  );
}

async function storeFailure(
  settings: Settings,
  failure: StoreFailure,
  request: RequestMap,
): Promise<ResponseMap> {
  settings.logger.error(`sessionkit: ${failure.message}`, failure.error);
  return settings.onStoreError(failure.error, request);
}
