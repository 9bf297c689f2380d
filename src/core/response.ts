import { invalidOption } from './errors.ts';
import type { ResponseMap, ResponseHeaders } from './types.ts';

/**
 * A response that touches neither the session nor the flash: it fits a handler of any
 * session and flash type, and spreads into one that does (`{ ...text('Hi'), session }`).
 */
export type PlainResponse = ResponseMap<never, never>;

/** A `text/plain; charset=utf-8` response. */
export function text(body: string, status = 200, headers?: ResponseHeaders): PlainResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body };
}

/** A `text/html; charset=utf-8` response. The caller escapes what it interpolates. */
export function html(body: string, status = 200, headers?: ResponseHeaders): PlainResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body };
}

/** An `application/json` response of `JSON.stringify(value)`. */
export function json(value: unknown, status = 200, headers?: ResponseHeaders): PlainResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

/** Redirect statuses: 302 Found, 303 See Other (after a POST), 307 Temporary Redirect. */
export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * A redirect to `location`. Ring's `redirect` defaults to 302; pass 303 after a POST and
 * 307 to keep the method.
 *
 * @example
 * return redirect('/flash/show', 303);
 */
export function redirect(location: string, status: RedirectStatus = 302): PlainResponse {
  if (!redirectStatuses.has(status)) {
    throw invalidOption('redirect', 'status', status, '301, 302, 303, 307 or 308');
  }
  if (/[\r\n]/.test(location)) {
    throw invalidOption('redirect', 'location', location, 'a URL without CR or LF');
  }
  return { status, headers: { location: encodeLocation(location) }, body: '' };
}

/** A 404 `Not Found` text response. */
export function notFound(body = 'Not Found'): PlainResponse {
  return text(body, 404);
}

/**
 * Percent-encodes what may not stand in a header value (non-ASCII, spaces, controls) as
 * UTF-8, leaving existing `%XX` escapes and the URL's structure alone.
 */
function encodeLocation(location: string): string {
  if (/^[\x21-\x7e]*$/.test(location)) return location;
  try {
    return location.replace(/[^\x21-\x7e]+/g, (run) => encodeURIComponent(run));
  } catch {
    throw invalidOption('redirect', 'location', location, 'a URL of well-formed Unicode');
  }
}
