/**
 * Response headers, read and changed case-insensitively (RFC 9110 §5.1: field names are
 * case-insensitive). A handler may write `{ VARY: 'Accept' }` or `{ 'Set-Cookie': … }`; every
 * helper here finds that header under any spelling, so no second spelling is ever added beside
 * it (node keeps only one of two, and a value would be lost).
 *
 * The helpers never mutate: each returns a new headers object, or the same one when nothing
 * changed. A header a helper writes is stored under the spelling already present, else under
 * its lower-case name.
 */
import type { ResponseHeaders } from './types.ts';

type HeaderValue = ResponseHeaders[string];

/** The key under which `headers` holds `name` (given in lower case), in whatever case. */
export function headerKey(
  headers: Readonly<Record<string, unknown>> | undefined,
  name: string,
): string | undefined {
  if (headers === undefined) return undefined;
  if (Object.hasOwn(headers, name)) return name;
  const length = name.length;
  for (const key in headers) {
    if (key.length === length && key.toLowerCase() === name) return key;
  }
  return undefined;
}

/** The value of `name` (lower case) in any spelling, or undefined. */
export function getHeader(
  headers: ResponseHeaders | undefined,
  name: string,
): HeaderValue | undefined {
  const key = headerKey(headers, name);
  return key === undefined ? undefined : headers![key];
}

/**
 * `headers` with `name` (lower case) set to `value`; every other spelling of it is removed.
 */
export function setHeader(
  headers: ResponseHeaders | undefined,
  name: string,
  value: HeaderValue,
): ResponseHeaders {
  if (headers === undefined) return { [name]: value };
  const key = headerKey(headers, name) ?? name;
  const out = withProperty(headers, key, value);
  dropOtherSpellings(out, name, key);
  return out;
}

/** `headers` with `name` set to `value` unless some spelling of it is already there. */
export function defaultHeader(
  headers: ResponseHeaders | undefined,
  name: string,
  value: HeaderValue,
): ResponseHeaders {
  return headerKey(headers, name) === undefined ? setHeader(headers, name, value) : headers!;
}

/**
 * `headers` with the comma-separated list header `name` (such as `Vary`) extended by `tokens`;
 * tokens already listed (compared case-insensitively) are not repeated, and `*` absorbs all.
 * Every spelling of the header is merged into one.
 */
export function appendList(
  headers: ResponseHeaders | undefined,
  name: string,
  tokens: readonly string[],
): ResponseHeaders {
  const existing: string[] = [];
  let found = false;
  for (const key in headers) {
    if (key.length === name.length && key.toLowerCase() === name) {
      found = true;
      const value = headers[key]!;
      for (const part of typeof value === 'object' ? value : [String(value)]) {
        for (const token of part.split(',')) if (token.trim() !== '') existing.push(token.trim());
      }
    }
  }
  if (!found) return setHeader(headers, name, tokens.join(', '));
  const seen = new Set(existing.map((token) => token.toLowerCase()));
  if (seen.has('*')) return setHeader(headers, name, '*');
  for (const token of tokens) {
    if (!seen.has(token.toLowerCase())) {
      seen.add(token.toLowerCase());
      existing.push(token);
    }
  }
  return setHeader(headers, name, existing.join(', '));
}

/**
 * `headers` with a `Cache-Control` that keeps shared caches from storing the response: one
 * that sets a session cookie or embeds a CSRF token belongs to one browser (RFC 9111
 * §5.2.2.7 `private`; OWASP Session Management, "Web Content Caching"). An unqualified
 * `private` or `no-store` already there is kept; otherwise `public` and `s-maxage` are removed
 * and `private` is added to the handler's other directives (`max-age=60` stays).
 */
export function privateCache(headers: ResponseHeaders | undefined): ResponseHeaders {
  const value = getHeader(headers, 'cache-control');
  if (value === undefined) return setHeader(headers, 'cache-control', 'private');
  const directives: string[] = [];
  for (const part of typeof value === 'object' ? value : [String(value)]) {
    for (const directive of part.split(',')) {
      const trimmed = directive.trim();
      const name = trimmed.toLowerCase();
      if (name === 'private' || name === 'no-store') return headers!;
      if (trimmed !== '' && !/^(public|s-maxage)\s*(=|$)/.test(name)) directives.push(trimmed);
    }
  }
  directives.push('private');
  return setHeader(headers, 'cache-control', directives.join(', '));
}

/**
 * `headers` with `lines` appended to `Set-Cookie` and the response made private:
 * {@link privateCache} and `Vary: Cookie` (security case L-17). The same as the three
 * helpers in a row, in one copy when the handler set none of those headers (the usual case).
 */
export function privateSetCookie(
  headers: ResponseHeaders | undefined,
  lines: readonly string[],
): ResponseHeaders {
  if (headers === undefined) {
    return { 'cache-control': 'private', vary: 'Cookie', 'set-cookie': lines };
  }
  for (const key in headers) {
    const length = key.length;
    if (length !== 4 && length !== 10 && length !== 13) continue;
    const name = key.toLowerCase();
    if (name === 'vary' || name === 'set-cookie' || name === 'cache-control') {
      return appendSetCookie(appendList(privateCache(headers), 'vary', ['Cookie']), lines);
    }
  }
  if (Object.hasOwn(headers, '__proto__')) {
    return { ...headers, 'cache-control': 'private', vary: 'Cookie', 'set-cookie': lines };
  }
  const copy = Object.assign({}, headers);
  copy['cache-control'] = 'private';
  copy['vary'] = 'Cookie';
  copy['set-cookie'] = lines;
  return copy;
}

/**
 * `headers` with `lines` appended to any `Set-Cookie` already there, whatever its spelling,
 * as an array so that each cookie keeps its own header line (RFC 6265bis §3: Set-Cookie
 * values are never folded into one).
 */
export function appendSetCookie(
  headers: ResponseHeaders | undefined,
  lines: readonly string[],
): ResponseHeaders {
  if (headers === undefined) return { 'set-cookie': lines };
  let key: string | undefined;
  let merged: readonly string[] = [];
  for (const name in headers) {
    if (name.length === 10 && name.toLowerCase() === 'set-cookie') {
      key ??= name;
      const value = headers[name]!;
      merged = merged.concat(typeof value === 'object' ? value : String(value));
    }
  }
  if (key === undefined) return withProperty(headers, 'set-cookie', lines);
  const out = withProperty(headers, key, merged.concat(lines));
  dropOtherSpellings(out, 'set-cookie', key);
  return out;
}

/** Every `Set-Cookie` line of `headers`, in order, whatever the header's spelling. */
export function setCookieLines(headers: ResponseHeaders | undefined): string[] {
  const lines: string[] = [];
  for (const name in headers) {
    if (name.length === 10 && name.toLowerCase() === 'set-cookie') {
      const value = headers[name]!;
      if (typeof value === 'object') lines.push(...value);
      else lines.push(String(value));
    }
  }
  return lines;
}

function dropOtherSpellings(headers: ResponseHeaders, name: string, keep: string): void {
  for (const key of Object.keys(headers)) {
    if (key !== keep && key.length === name.length && key.toLowerCase() === name) {
      delete headers[key];
    }
  }
}

/**
 * `{ ...object, [key]: value }`, about 10× faster on Node 20: V8 gives a spread copy a shape
 * that makes adding a property cost ~0.3 µs. `Object.assign` copies the same own enumerable
 * properties; only an own `__proto__` key, which it would turn into the prototype, takes the
 * spread.
 */
export function withProperty<T extends object, K extends keyof T & string>(
  object: T,
  key: K,
  value: T[K],
): T {
  if (Object.hasOwn(object, '__proto__')) return { ...object, [key]: value };
  const copy = Object.assign({}, object);
  copy[key] = value;
  return copy;
}
