/**
 * The `Set-Cookie` serializer: one cookie in, one `Set-Cookie` header value out.
 * Pure, synchronous, no dependencies. Grammar and algorithms from RFC 6265bis
 * (draft-ietf-httpbis-rfc6265bis); the policy choices are in
 * docs/decisions/0001-cookie-codec.md.
 */
import type { CookieAttrs } from '../core/types.ts';
import { SessionkitError, describe } from '../core/errors.ts';
import { MAX_COOKIE_BYTES } from '../core/limits.ts';

export { MAX_COOKIE_BYTES };

/** The longest lifetime a user agent keeps: 400 days in seconds (RFC 6265bis §5.5, §5.6.1). */
export const MAX_AGE_LIMIT_SECONDS = 34_560_000;

/** The longest `Domain` or `Path` value user agents accept; longer ones are ignored (RFC 6265bis §5.6). */
export const MAX_ATTRIBUTE_BYTES = 1024;

// ---------------------------------------------------------------------------------------------
// Character classes, as lookup tables over US-ASCII (index = char code).

/** RFC 7230 §3.2.6 tchar (a cookie-name is a token: RFC 6265bis §4.1.1). */
const TOKEN = asciiTable(
  "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
);

/**
 * RFC 6265 §4.1.1 / RFC 6265bis §4.1.1 cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B /
 * %x5D-7E, minus `%`, which we must encode so that percent-decoding gives the value back.
 */
const VALUE_SAFE = asciiRanges(
  [0x21, 0x21],
  [0x23, 0x24],
  [0x26, 0x2b],
  [0x2d, 0x3a],
  [0x3c, 0x5b],
  [0x5d, 0x7e],
);

/** RFC 6265 §4.1.1 / RFC 6265bis §4.1.1 cookie-octet, `%` included. */
const COOKIE_OCTET = asciiRanges(
  [0x21, 0x21],
  [0x23, 0x2b],
  [0x2d, 0x3a],
  [0x3c, 0x5b],
  [0x5d, 0x7e],
);

/** RFC 6265bis §4.1.1 av-octet (any CHAR except CTLs or ";"), used for path-value. */
const AV_OCTET = asciiRanges([0x20, 0x3a], [0x3c, 0x7e]);

/** Letters and digits: the let-dig of RFC 1034 §3.5 / RFC 1123 §2.1 host names. */
const LET_DIG = asciiTable('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');

function asciiTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}

function asciiRanges(...ranges: Array<[number, number]>): Uint8Array {
  const table = new Uint8Array(128);
  for (const [from, to] of ranges) table.fill(1, from, to + 1);
  return table;
}

/** `%00`..`%FF`, upper-case hex as encodeURIComponent writes it. */
const PERCENT: readonly string[] = Array.from(
  { length: 256 },
  (_, byte) => '%' + byte.toString(16).toUpperCase().padStart(2, '0'),
);

// ---------------------------------------------------------------------------------------------
// Serializing: one Set-Cookie header value (RFC 6265bis §4.1).

const WHAT = 'serializeCookie';

function invalid(option: string, got: string, expected: string): SessionkitError {
  return new SessionkitError(
    'invalid_cookie',
    `${WHAT}: option ${option} is invalid: got ${got}, expected ${expected}`,
  );
}

/** RFC 7230 §3.2.6: token = 1*tchar. */
export function isToken(s: string): boolean {
  const len = s.length;
  if (len === 0) return false;
  for (let i = 0; i < len; i++) {
    const code = s.charCodeAt(i);
    if (code >= 0x80 || TOKEN[code] === 0) return false;
  }
  return true;
}

/**
 * Percent-encodes, as UTF-8, every character that is not a cookie-octet, and `%` itself
 * (RFC 6265 §4.1.1; RFC 6265bis §4.1.1 asks servers to encode arbitrary data). Values made of
 * cookie-octets only, such as base64url seals, are returned as they are.
 */
function encodeValue(value: string): string {
  const len = value.length;
  let i = 0;
  while (i < len) {
    const code = value.charCodeAt(i);
    if (code >= 0x80 || VALUE_SAFE[code] === 0) break;
    i++;
  }
  if (i === len) return value;

  let out = value.slice(0, i);
  let runStart = i;
  for (; i < len; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x80 && VALUE_SAFE[code] === 1) continue;
    if (runStart < i) out += value.slice(runStart, i);
    if (code < 0x80) {
      out += PERCENT[code];
    } else if (code < 0x800) {
      out += PERCENT[0xc0 | (code >> 6)]! + PERCENT[0x80 | (code & 0x3f)]!;
    } else if (code < 0xd800 || code > 0xdfff) {
      out +=
        PERCENT[0xe0 | (code >> 12)]! +
        PERCENT[0x80 | ((code >> 6) & 0x3f)]! +
        PERCENT[0x80 | (code & 0x3f)]!;
    } else {
      const low = value.charCodeAt(i + 1);
      if (code > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) {
        throw invalid(
          'value',
          `a string of ${len} characters with a lone surrogate`,
          'well-formed Unicode',
        );
      }
      const point = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
      out +=
        PERCENT[0xf0 | (point >> 18)]! +
        PERCENT[0x80 | ((point >> 12) & 0x3f)]! +
        PERCENT[0x80 | ((point >> 6) & 0x3f)]! +
        PERCENT[0x80 | (point & 0x3f)]!;
      i++;
    }
    runStart = i + 1;
  }
  return runStart < len ? out + value.slice(runStart) : out;
}

/**
 * RFC 6265 §4.1.1 cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE ): no space,
 * `"` (but around the whole), `,`, `;`, `\`, control character or non-ASCII.
 */
function isCookieValue(value: string): boolean {
  let from = 0;
  let to = value.length;
  if (to >= 2 && value.charCodeAt(0) === 0x22 && value.charCodeAt(to - 1) === 0x22) {
    from = 1;
    to--;
  }
  for (let i = from; i < to; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x80 || COOKIE_OCTET[code] === 0) return false;
  }
  return true;
}

/**
 * RFC 6265bis §4.1.1 domain-value = <subdomain> (RFC 1034 §3.5, RFC 1123 §2.1): labels of
 * letters, digits and inner hyphens, at most 63 characters, joined by single dots. A leading
 * dot is allowed and ignored by user agents (§4.1.2.3); a trailing dot makes them ignore the
 * attribute, so it is refused, as are empty labels. Internationalized names must be given in
 * their ASCII (punycode) form.
 */
function isDomain(domain: string): boolean {
  const len = domain.length;
  let i = domain.charCodeAt(0) === 0x2e ? 1 : 0;
  if (i === len) return false;
  let labelStart = i;
  for (; i <= len; i++) {
    const code = i === len ? 0x2e : domain.charCodeAt(i);
    if (code === 0x2e) {
      const labelLength = i - labelStart;
      if (labelLength === 0 || labelLength > 63) return false;
      if (domain.charCodeAt(labelStart) === 0x2d || domain.charCodeAt(i - 1) === 0x2d) return false;
      labelStart = i + 1;
    } else if (code !== 0x2d && (code >= 0x80 || LET_DIG[code] === 0)) {
      return false;
    }
  }
  return true;
}

/** RFC 6265bis §4.1.1 path-value = *av-octet, starting with "/" (else §5.6.4 ignores it). */
function isPath(path: string): boolean {
  const len = path.length;
  if (len === 0 || path.charCodeAt(0) !== 0x2f) return false;
  for (let i = 1; i < len; i++) {
    const code = path.charCodeAt(i);
    if (code >= 0x80 || AV_OCTET[code] === 0) return false;
  }
  return true;
}

function checkFlag(option: string, flag: unknown): boolean {
  if (flag === undefined || typeof flag === 'boolean') return flag === true;
  throw invalid(option, describe(flag), 'a boolean');
}

function canonicalSameSite(sameSite: unknown): string {
  switch (typeof sameSite === 'string' ? sameSite.toLowerCase() : sameSite) {
    case 'strict':
      return 'Strict';
    case 'lax':
      return 'Lax';
    case 'none':
      return 'None';
    default:
      throw invalid('sameSite', describe(sameSite), '"strict", "lax" or "none" in any case');
  }
}

function canonicalPriority(priority: unknown): string {
  switch (typeof priority === 'string' ? priority.toLowerCase() : priority) {
    case 'low':
      return 'Low';
    case 'medium':
      return 'Medium';
    case 'high':
      return 'High';
    default:
      throw invalid('priority', describe(priority), '"low", "medium" or "high" in any case');
  }
}

/** The attribute names of {@link CookieAttrs}, in the order they are written. */
export const cookieAttributeNames = Object.freeze([
  'domain',
  'path',
  'maxAge',
  'expires',
  'secure',
  'httpOnly',
  'sameSite',
  'partitioned',
  'priority',
] as const);

/** Ring's spellings (and the header's), which people carry over: the name we use for each. */
const attributeHints: Readonly<Record<string, string>> = {
  'max-age': 'maxAge',
  'http-only': 'httpOnly',
  httponly: 'httpOnly',
  'same-site': 'sameSite',
  samesite: 'sameSite',
  maxage: 'maxAge',
};

/** True for a {@link CookieAttrs} key, and for `value` (a response cookie is passed whole). */
function isAttributeName(key: string): boolean {
  switch (key) {
    case 'value':
    case 'domain':
    case 'path':
    case 'maxAge':
    case 'expires':
    case 'secure':
    case 'httpOnly':
    case 'sameSite':
    case 'partitioned':
    case 'priority':
      return true;
    default:
      return false;
  }
}

/**
 * Throws `invalid_cookie` naming the first key of `attributes` that is not a cookie attribute
 * (Ring refuses unknown attributes too; security case S-19): a misspelt or Ring-spelt key
 * such as `max-age` would otherwise be dropped without a word, and the cookie written without
 * it. The value is never printed, only its type.
 *
 * @example
 * checkCookieAttrs('wrapSession', 'cookieAttrs', { 'max-age': 5 });
 * // throws: wrapSession: option cookieAttrs.max-age is invalid: got a number, expected one of
 * // domain, path, … (unknown cookie attribute; did you mean maxAge?)
 */
export function checkCookieAttrs(what: string, option: string, attributes: object): void {
  for (const key in attributes) {
    if (!isAttributeName(key) || key === 'value') {
      throw unknownAttribute(`${what}: option ${option}.${key}`, key, attributes);
    }
  }
}

function unknownAttribute(subject: string, key: string, attributes: object): SessionkitError {
  const value: unknown = (attributes as Record<string, unknown>)[key];
  const hint =
    attributeHints[key] ??
    attributeHints[key.toLowerCase()] ??
    cookieAttributeNames.find((name) => name.toLowerCase() === key.toLowerCase());
  const type =
    value === null
      ? 'null'
      : Array.isArray(value)
        ? 'an array'
        : typeof value === 'object'
          ? 'an object'
          : `a ${typeof value}`;
  return new SessionkitError(
    'invalid_cookie',
    `${subject} is invalid: got ${type}, expected one of ${cookieAttributeNames.join(', ')} (unknown cookie attribute${hint === undefined ? '' : `; did you mean ${hint}?`})`,
  );
}

/** 1601-01-01T00:00:00Z: earlier years fail the user agent's date parser (RFC 6265bis §5.1.1). */
const EARLIEST_EXPIRES_MS = -11_644_473_600_000;

/** The longest lifetime in milliseconds, for Expires (RFC 6265bis §5.5, §5.6.1). */
const MAX_AGE_LIMIT_MS = MAX_AGE_LIMIT_SECONDS * 1000;

/** The case-insensitive prefix check user agents apply (RFC 6265bis §4.1.3; §5.7, the storage model). */
function hasPrefix(name: string, prefix: string): boolean {
  return name.length >= prefix.length && name.slice(0, prefix.length).toLowerCase() === prefix;
}

/**
 * Serializes one cookie into a `Set-Cookie` header value:
 * `name=value; Domain=…; Path=…; Max-Age=…; Expires=…; Secure; HttpOnly; SameSite=…;
 * Partitioned; Priority=…`, each attribute at most once, `false` or `undefined` attributes
 * left out.
 *
 * The value is percent-encoded (UTF-8) wherever it is not made of cookie-octets, so
 * {@link parseCookie} gives it back; base64url values pass unchanged. An `encode(value, name)`
 * function replaces that encoding (Ring's `:encoder`, e.g. to write a value raw); what it returns
 * must be a cookie-value (cookie-octets, `%` included, optionally in double quotes).
 *
 * Throws {@link SessionkitError} before producing anything:
 * - `invalid_cookie` for an attribute key that is not one of {@link CookieAttrs} (such as
 *   Ring's `max-age`; a `value` key is ignored, so a response cookie can be passed whole);
 *   a name that is not an RFC 7230 token; an `encode` result that is not a cookie-value;
 *   a Domain that is not a host
 *   name; a Path that does not start with `/` or holds a `;`, a control character or non-ASCII;
 *   a Domain or Path over 1024 bytes; an unknown `sameSite` or `priority`; a flag that is not
 *   a boolean; a `maxAge` that is not an integer
 *   from 0 to 34 560 000 (400 days); an invalid `expires`, or one more than 400 days ahead
 *   (lifetimes are refused, not clamped); `SameSite=None` or `Partitioned` without `Secure`;
 *   a `__Secure-` name without `Secure`, or a `__Host-` name without `Secure`, with a Domain,
 *   or with a Path other than `/` (prefixes compared in any case);
 * - `cookie_too_large` when `name=value` exceeds 4096 bytes.
 *
 * @example
 * serializeCookie('sid', 'v1.k1.abc', { path: '/', httpOnly: true, secure: true, sameSite: 'lax' })
 * // → 'sid=v1.k1.abc; Path=/; Secure; HttpOnly; SameSite=Lax'
 * serializeCookie('greeting', 'a b;é') // → 'greeting=a%20b%3B%C3%A9'
 */
export function serializeCookie(
  name: string,
  value: string,
  attributes?: CookieAttrs,
  encode?: (value: string, name: string) => string,
): string {
  // RFC 6265bis §4.1.1: cookie-name = token. Rejects "=", ";", whitespace, CR/LF, CTLs and
  // non-ASCII, so no attribute or header can be injected through the name.
  if (typeof name !== 'string' || !isToken(name)) {
    throw invalid(
      'name',
      describe(name),
      "an RFC 7230 token (letters, digits and !#$%&'*+-.^_`|~)",
    );
  }
  if (typeof value !== 'string') {
    throw invalid('value', describe(value), 'a string');
  }
  let header =
    name + '=' + (encode === undefined ? encodeValue(value) : encoded(encode, value, name));
  // RFC 6265bis §5.6 and §6.1: user agents drop cookies whose name and value exceed 4096
  // octets. The encoded pair is ASCII, so its length is its size in bytes.
  if (header.length > MAX_COOKIE_BYTES) {
    throw new SessionkitError(
      'cookie_too_large',
      `${WHAT}: cookie ${describe(name)} is ${header.length} bytes as name=value, over the ${MAX_COOKIE_BYTES}-byte limit`,
    );
  }
  if (attributes === undefined) {
    checkPrefixes(name, false, undefined, undefined);
    return header;
  }

  for (const key in attributes) {
    if (!isAttributeName(key)) {
      throw unknownAttribute(`${WHAT}: option ${key} of cookie ${describe(name)}`, key, attributes);
    }
  }
  const { domain, path, maxAge, expires, sameSite, priority } = attributes;
  const secure = checkFlag('secure', attributes.secure);
  const httpOnly = checkFlag('httpOnly', attributes.httpOnly);
  const partitioned = checkFlag('partitioned', attributes.partitioned);

  if (domain !== undefined) {
    // RFC 6265bis §5.6: an attribute value over 1024 octets is ignored by user agents.
    if (typeof domain !== 'string' || domain.length > MAX_ATTRIBUTE_BYTES || !isDomain(domain)) {
      throw invalid(
        'domain',
        describe(domain),
        'a host name such as "example.com" or ".example.com", at most 1024 bytes',
      );
    }
    header += '; Domain=' + domain;
  }
  if (path !== undefined) {
    if (typeof path !== 'string' || path.length > MAX_ATTRIBUTE_BYTES || !isPath(path)) {
      throw invalid(
        'path',
        describe(path),
        'a path starting with "/", printable ASCII without ";", at most 1024 bytes',
      );
    }
    header += '; Path=' + path;
  }
  if (maxAge !== undefined) {
    // RFC 6265bis §4.1.1 max-age-av = "Max-Age=" 1*DIGIT (no sign); §5.5 caps lifetimes at
    // 400 days. Refused rather than clamped: a clamped value would not be the one asked for.
    if (!Number.isInteger(maxAge) || maxAge < 0 || maxAge > MAX_AGE_LIMIT_SECONDS) {
      throw invalid(
        'maxAge',
        describe(maxAge),
        `an integer number of seconds from 0 to ${MAX_AGE_LIMIT_SECONDS} (400 days)`,
      );
    }
    header += '; Max-Age=' + String(maxAge);
  }
  if (expires !== undefined) {
    // RFC 6265bis §4.1.1 sane-cookie-date = IMF-fixdate (RFC 9110 §5.6.7), which
    // Date.prototype.toUTCString writes: "Sun, 24 Dec 2000 10:30:59 GMT".
    const time = expires instanceof Date ? expires.getTime() : NaN;
    if (!(time >= EARLIEST_EXPIRES_MS && time <= Date.now() + MAX_AGE_LIMIT_MS)) {
      throw invalid(
        'expires',
        describe(expires),
        'a valid Date from 1601 on, at most 400 days ahead',
      );
    }
    header += '; Expires=' + expires.toUTCString();
  }
  if (secure) header += '; Secure';
  if (httpOnly) header += '; HttpOnly';
  if (sameSite !== undefined) {
    const canonical = canonicalSameSite(sameSite);
    // RFC 6265bis §5.7 (storage model): SameSite=None without Secure is dropped.
    if (canonical === 'None' && !secure) {
      throw invalid('sameSite', '"none" without secure', 'secure: true with sameSite "none"');
    }
    header += '; SameSite=' + canonical;
  }
  if (partitioned) {
    // CHIPS (draft-cutler-httpbis-partitioned-cookies §2.1): Partitioned requires Secure.
    if (!secure)
      throw invalid('partitioned', 'true without secure', 'secure: true with partitioned');
    header += '; Partitioned';
  }
  if (priority !== undefined) header += '; Priority=' + canonicalPriority(priority);
  checkPrefixes(name, secure, domain, path);
  return header;
}

/** `encode(value)`, refused unless it is a cookie-value: the encoder cannot inject anything. */
function encoded(
  encode: (value: string, name: string) => string,
  value: string,
  name: string,
): string {
  const wire: unknown = encode(value, name);
  if (typeof wire !== 'string' || !isCookieValue(wire)) {
    throw invalid(
      'encode',
      // The length only: the value may be a secret.
      typeof wire === 'string'
        ? `a function that returned a string of ${wire.length} characters`
        : `a function that returned ${describe(wire)}`,
      'cookie-octets only (RFC 6265 §4.1.1: printable ASCII without space, ", comma, ; and \\), optionally in double quotes',
    );
  }
  return wire;
}

/**
 * RFC 6265bis §4.1.3.1 `__Secure-` requires Secure; §4.1.3.2 `__Host-` requires Secure, no
 * Domain and `Path=/`. User agents match the prefixes case-insensitively (§5.7),
 * so `__HOST-sid` is held to the same rules.
 */
function checkPrefixes(
  name: string,
  secure: boolean,
  domain: string | undefined,
  path: string | undefined,
): void {
  if (name.charCodeAt(0) !== 0x5f || name.charCodeAt(1) !== 0x5f) return;
  if (hasPrefix(name, '__secure-')) {
    if (!secure) throw invalid('secure', `${describe(secure)} for a __Secure- cookie`, 'true');
  } else if (hasPrefix(name, '__host-')) {
    if (!secure) throw invalid('secure', `${describe(secure)} for a __Host- cookie`, 'true');
    if (domain !== undefined)
      throw invalid('domain', `${describe(domain)} for a __Host- cookie`, 'no domain');
    if (path !== '/') throw invalid('path', `${describe(path)} for a __Host- cookie`, '"/"');
  }
}
