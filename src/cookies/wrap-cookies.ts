import { parseCookie } from './parse.ts';
import { serializeCookie } from './serialize.ts';
import { consoleLogger } from '../core/logger.ts';
import { checkOptions, functionOption, loggerOption } from '../core/options.ts';
import { isNoResponse, wrapHalves } from '../core/halves.ts';
import { hasCookies } from '../core/request.ts';
import type { Halves } from '../core/halves.ts';
import { appendSetCookie, setCookieLines, withProperty } from '../core/headers.ts';
import type {
  JsonValue,
  Logger,
  Middleware,
  RequestCookie,
  RequestHeaders,
  ResponseHeaders,
  ResponseMap,
  SessionData,
  SessionShape,
} from '../core/types.ts';

/** Options of {@link wrapCookies}. */
export interface CookiesOptions {
  /**
   * Ring's `:decoder`: turns a request cookie's raw value (trimmed, quotes stripped) into
   * `request.cookies[name].value`. A cookie it gives no string for, or throws on, is left
   * out. `(value) => value` reads values raw.
   * @default percent-decoding (UTF-8), the raw value when an escape is malformed
   */
  decode?: ((value: string, name: string) => string | undefined) | undefined;
  /**
   * Ring's `:encoder`: turns a response cookie's value into what `Set-Cookie` carries.
   * What it returns must be cookie-octets (RFC 6265 §4.1.1), else `invalid_cookie`: raw
   * base64 passes, a space or `;` does not. `(value) => value` writes values raw.
   * @default percent-encoding of everything that is not a cookie-octet, and of `%`
   */
  encode?: ((value: string, name: string) => string) | undefined;
  /**
   * Where the one-time warning about too many or too large cookies goes.
   * @default console
   */
  logger?: Pick<Logger, 'warn'> | undefined;
}

/**
 * Past these, a response's cookies risk being dropped or making later requests fail
 * (RFC 6265bis §6.1: user agents keep at least 50 cookies per domain; servers, Node among
 * them, limit request headers to 8–16 KiB). Security case Z-05.
 */
export const cookieBudget = Object.freeze({ cookies: 50, bytes: 8192 });

/**
 * Ring's `wrap-cookies`. The request gets `cookies` in Ring's shape (`{ name: { value } }`,
 * first of duplicate names wins, values percent-decoded or as `decode` gives them); the
 * response's `cookies` become one `Set-Cookie` header each (values percent-encoded, or as
 * `encode` gives them), after any the handler set itself, never joined into one line.
 * The first response that sets more than {@link cookieBudget} allows logs one warning.
 *
 * @example
 * const app = wrapCookies()((request) => ({
 *   status: 200,
 *   body: `hello ${request.cookies?.name?.value ?? 'stranger'}`,
 *   cookies: { seen: { value: '1', maxAge: 3600, httpOnly: true, sameSite: 'lax' } },
 * }));
 */
export function wrapCookies<S extends SessionShape<S> = SessionData, F = JsonValue>(
  options: CookiesOptions = {},
): Middleware<S, F> {
  return wrapHalves<S, F>(cookieHalves(options));
}

/**
 * `wrapCookies`' two halves: `request` parses the Cookie header into `request.cookies`;
 * `response` turns `response.cookies` into Set-Cookie headers.
 */
export function cookieHalves(options: CookiesOptions = {}): Halves {
  checkOptions('wrapCookies', options, ['decode', 'encode', 'logger'], {
    decoder: 'decode',
    encoder: 'encode',
  });
  const decode = functionOption<NonNullable<CookiesOptions['decode']>>(
    'wrapCookies',
    'decode',
    options.decode,
  );
  const encode = functionOption<NonNullable<CookiesOptions['encode']>>(
    'wrapCookies',
    'encode',
    options.encode,
  );
  const logger = loggerOption('wrapCookies', options.logger, consoleLogger, ['warn']);
  let warned = false;
  return {
    role: 'cookies',
    request(request) {
      if (!hasCookies(request)) request.cookies = requestCookies(request.headers, decode);
      return undefined;
    },
    response(response) {
      if (isNoResponse(response)) return response;
      const out = writeCookies(response, encode);
      if (!warned && out.headers !== undefined) warned = overBudget(out.headers, logger);
      return out;
    },
  };
}

/** Warns when the Set-Cookie lines exceed the budget; true when it warned. */
function overBudget(headers: ResponseHeaders, logger: Pick<Logger, 'warn'>): boolean {
  const lines = setCookieLines(headers);
  if (lines.length <= 1) return false;
  let bytes = 0;
  for (const line of lines) bytes += line.length;
  if (lines.length <= cookieBudget.cookies && bytes <= cookieBudget.bytes) return false;
  logger.warn(
    `sessionkit: a response sets ${lines.length} cookies in ${bytes} bytes of Set-Cookie; browsers keep about ${cookieBudget.cookies} per site and servers refuse large Cookie headers (Node: 16 KiB), so set fewer and smaller cookies, or keep the data in the session`,
  );
  return true;
}

/** The request's cookies in Ring's shape, in a null-prototype object. */
export function requestCookies(
  headers: RequestHeaders,
  decode?: CookiesOptions['decode'],
): Record<string, RequestCookie> {
  const parsed = parseCookie(headers.cookie, decode);
  const cookies = Object.create(null) as Record<string, RequestCookie>;
  for (const name in parsed) cookies[name] = { value: parsed[name] as string };
  return cookies;
}

/**
 * Moves `response.cookies` into `Set-Cookie` headers, their values encoded by `encode` when
 * given. Throws `invalid_cookie` for a cookie that cannot be written safely; the host turns
 * that into a 500 before anything is sent.
 */
export function writeCookies<R extends Pick<ResponseMap, 'cookies' | 'headers'>>(
  response: R,
  encode?: CookiesOptions['encode'],
): R {
  const { cookies } = response;
  if (cookies === undefined) return response;
  const lines: string[] = [];
  for (const name in cookies) {
    const cookie = cookies[name];
    if (cookie === undefined) continue;
    lines.push(
      typeof cookie === 'string'
        ? serializeCookie(name, cookie, undefined, encode)
        : serializeCookie(name, cookie.value, cookie, encode),
    );
  }
  const { cookies: _, ...rest } = response;
  return lines.length === 0
    ? (rest as R)
    : withProperty(rest as R, 'headers', appendSetCookie(response.headers, lines));
}
