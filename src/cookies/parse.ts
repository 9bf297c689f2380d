/**
 * The `Cookie` request header parser: the header in, `{ name: value }` or one name's values out.
 * Pure, synchronous, no dependencies. Grammar and algorithms from RFC 6265bis
 * (draft-ietf-httpbis-rfc6265bis); the policy choices are in
 * docs/decisions/0001-cookie-codec.md.
 */
import { decodeEscapes } from './decode.ts';

/**
 * How many `;`-separated segments {@link parseCookie} and {@link cookieValues} look at; the
 * rest of the header is ignored. Browsers keep at most 180 cookies per domain.
 */
export const MAX_COOKIE_PAIRS = 200;

// ---------------------------------------------------------------------------------------------
// Parsing: the Cookie request header (RFC 6265bis §4.2, §5.8.3 for how user agents write it).

/**
 * Objects made by `new NullObject()` have no `Object.prototype` in their chain: no inherited
 * `toString`, `__proto__` setter or `hasOwnProperty`. Same technique as jshttp/cookie; it is
 * several times faster than `Object.create(null)`, whose objects start in dictionary mode.
 */
const NullObject = /* @__PURE__ */ (() => {
  function Cookies(): void {}
  Cookies.prototype = Object.create(null) as object;
  return Cookies as unknown as new () => Record<string, string>;
})();

/**
 * True when a string is printable ASCII only (%x20-7E): it then holds no CTL at all. A single
 * range is the cheapest exact check measured (about 0.5 ns per character, twice as fast as
 * {@link NO_CTL}'s three ranges), and it is what browsers send, so one test of the whole
 * header usually settles P-09 for every pair. Anchored at both ends, one greedy quantifier over
 * one character class: linear, the engine never restarts elsewhere.
 */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * True when a string has no CTL other than HTAB (RFC 5234 B.1: %x00-1F / %x7F): the exact
 * rule, for headers with HTAB or non-ASCII characters, which {@link PRINTABLE_ASCII} refuses.
 * Linear for the same reason.
 */
const NO_CTL = /^[\t\x20-\x7e\x80-\uffff]*$/;

/** One header string: header lines joined with "; " (RFC 6265bis §5.8.3 writes one line). */
function headerString(header: string | readonly string[] | undefined): string {
  if (typeof header === 'string') return header;
  if (!Array.isArray(header)) return '';
  let joined: string | undefined;
  for (const line of header as readonly unknown[]) {
    if (typeof line === 'string') joined = joined === undefined ? line : joined + '; ' + line;
  }
  return joined ?? '';
}

/** SP or HTAB: the only whitespace trimmed (RFC 6265bis §5.6 removes leading and trailing WSP). */
function isWsp(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** The first position in `s[from..to)` that is not SP or HTAB, or `to`. */
function skipWsp(s: string, from: number, to: number): number {
  while (from < to && isWsp(s.charCodeAt(from))) from++;
  return from;
}

/** The end of `s[from..to)` without its trailing SP and HTAB. */
function trimWspEnd(s: string, from: number, to: number): number {
  while (to > from && isWsp(s.charCodeAt(to - 1))) to--;
  return to;
}

/**
 * True when `s[from..to)` holds a CTL other than HTAB. Such a pair is ignored, as user agents
 * ignore a Set-Cookie holding one (RFC 6265bis §5.6 step 1).
 */
function hasCtl(s: string, from: number, to: number): boolean {
  return !NO_CTL.test(s.slice(from, to));
}

/**
 * Walks a header pair by pair, linear in its length, at most `maxSegments` segments.
 * {@link Pairs.next} moves to the next segment that has a non-empty name before an "=" and
 * sets the bounds of the segment (for the control-character check) and of its trimmed name;
 * {@link Pairs.value} then sets those of its trimmed, unquoted value, for the pairs the caller
 * keeps. Splits on ";" only (no "," and no RFC 2109 quoted-string: RFC 6265bis §4.2.1); trims
 * SP/HTAB; strips one DQUOTE pair. The control-character check is the caller's, which knows
 * which pairs it keeps. A class rather than a callback: V8 inlines its methods (kept under its
 * inlining size), where a closure per parse cost about a tenth of a parse.
 */
class Pairs {
  segmentStart = 0;
  segmentEnd = 0;
  nameStart = 0;
  nameEnd = 0;
  valueStart = 0;
  valueEnd = 0;
  readonly #s: string;
  /** Where the next segment starts. */
  #pos = 0;
  #segments = 0;
  readonly #maxSegments: number;
  /**
   * The next "=" at or after `#pos`, reused while it lies beyond the current segment, so that
   * a run of segments without "=" is not searched again and again.
   */
  #eq: number;

  constructor(s: string, maxSegments: number) {
    this.#s = s;
    this.#maxSegments = maxSegments;
    this.#eq = s.indexOf('=');
  }

  /** Moves to the next pair with a name; false when there is none within `maxSegments`. */
  next(): boolean {
    const s = this.#s;
    const len = s.length;
    let pos = this.#pos;
    let eq = this.#eq;
    while (eq !== -1 && pos < len && this.#segments < this.#maxSegments) {
      this.#segments++;
      const start = pos;
      let end = s.indexOf(';', start);
      if (end === -1) end = len;
      pos = end + 1;
      if (eq < start) eq = s.indexOf('=', start);
      if (eq === -1 || eq > end) continue;
      const nameStart = skipWsp(s, start, eq);
      const nameEnd = trimWspEnd(s, nameStart, eq);
      if (nameEnd === nameStart) continue;
      this.#pos = pos;
      this.#eq = eq;
      this.segmentStart = start;
      this.segmentEnd = end;
      this.nameStart = nameStart;
      this.nameEnd = nameEnd;
      return true;
    }
    this.#pos = pos;
    this.#eq = eq;
    return false;
  }

  /** Sets `valueStart` and `valueEnd` for the pair {@link next} moved to. */
  value(): void {
    const s = this.#s;
    const end = this.segmentEnd;
    let valueStart = skipWsp(s, this.#eq + 1, end);
    let valueEnd = trimWspEnd(s, valueStart, end);
    // RFC 6265bis §4.1.1: cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE ).
    // The DQUOTEs are part of the value to a user agent; we strip one surrounding pair, as
    // Ring does, so a quoted sealed value still reaches its check.
    if (
      valueEnd - valueStart >= 2 &&
      s.charCodeAt(valueStart) === 0x22 &&
      s.charCodeAt(valueEnd - 1) === 0x22
    ) {
      valueStart++;
      valueEnd--;
    }
    this.valueStart = valueStart;
    this.valueEnd = valueEnd;
  }
}

/** A custom decoder's result: a string, or undefined (the pair is dropped) when it gives anything else or throws. */
function decoded(
  decode: (value: string, name: string) => string | undefined,
  raw: string,
  name: string,
): string | undefined {
  try {
    const value: unknown = decode(raw, name);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses a `Cookie` request header into `{ name: value }`.
 *
 * Never throws, and runs in time linear in the header length. The policy, after RFC 6265bis
 * §4.2 and §5.6:
 * - pairs are split on `;` only; SP and HTAB around names and values are trimmed;
 * - a pair without `=`, with an empty name, or holding a control character is ignored;
 * - the **first** occurrence of a name wins (order is not to be relied upon: RFC 6265bis
 *   §4.2.2; the session layer tries every candidate with {@link cookieValues});
 * - one pair of surrounding double quotes is stripped; `$Version` and backslashes mean nothing;
 * - values are percent-decoded when they contain `%` (UTF-8), kept raw if that fails; a
 *   `decode(value, name)` function replaces that (Ring's `:decoder`): it gets the raw value
 *   (trimmed and unquoted), and a pair it gives no string for (or throws on) is dropped, so a
 *   later pair of the same name may stand;
 *   names are neither decoded nor case-folded;
 * - at most {@link MAX_COOKIE_PAIRS} segments are considered;
 * - several header lines are read as one, joined with `; `.
 *
 * The result has no prototype chain to `Object.prototype`: `__proto__` or `hasOwnProperty`
 * are ordinary cookie names, and absent names read as `undefined`.
 *
 * @example
 * parseCookie('sid=abc; theme=dark; lang=%C3%A9')
 * // → { sid: 'abc', theme: 'dark', lang: 'é' }
 */
export function parseCookie(
  header: string | readonly string[] | undefined,
  decode?: (value: string, name: string) => string | undefined,
): Record<string, string> {
  const cookies = new NullObject();
  const s = headerString(header);
  if (s.length < 2) return cookies;
  // P-09. Printable ASCII throughout (what browsers send) holds no CTL, so one fast test of the
  // whole header clears every pair; otherwise each pair kept is checked exactly.
  const checkPairs = !PRINTABLE_ASCII.test(s);
  // Position of the next "%" at or after the current value, or -1; searched again only once
  // the walk has passed it, so that the searches together stay linear in the header.
  let percent = s.indexOf('%');
  const pair = new Pairs(s, MAX_COOKIE_PAIRS);
  while (pair.next()) {
    const name = s.slice(pair.nameStart, pair.nameEnd);
    if (cookies[name] !== undefined) continue;
    if (checkPairs && hasCtl(s, pair.segmentStart, pair.segmentEnd)) continue;
    pair.value();
    const { valueStart, valueEnd } = pair;
    if (decode !== undefined) {
      const value = decoded(decode, s.slice(valueStart, valueEnd), name);
      if (value !== undefined) cookies[name] = value;
      continue;
    }
    if (percent !== -1 && percent < valueStart) percent = s.indexOf('%', valueStart);
    cookies[name] =
      percent === -1 || percent >= valueEnd
        ? s.slice(valueStart, valueEnd)
        : decodeEscapes(s, valueStart, valueEnd, percent);
  }
  return cookies;
}

/**
 * Every value sent for `name`, in header order: trimmed and unquoted like
 * {@link parseCookie}, but **not** percent-decoded (sealed values are base64url and are
 * compared byte for byte). The name matches exactly, case-sensitively. Empty values are
 * included; callers that treat `name=` as absent filter them out.
 *
 * Unlike {@link parseCookie}, the whole header is scanned (still in linear time), not only
 * its first {@link MAX_COOKIE_PAIRS} segments: browsers send the cookies with the longest
 * Path first (RFC 6265bis §5.8.3), so a site's own `Path=/` cookie comes after any that a
 * sibling subdomain planted for longer paths, and must not fall off the end.
 *
 * A header may carry the same name several times (set for different paths or domains, or
 * planted by a sibling subdomain); the session layer decides which to trust (P-01).
 *
 * @example
 * cookieValues('sid=planted; theme=dark; sid=v1.real', 'sid') // → ['planted', 'v1.real']
 */
export function cookieValues(
  header: string | readonly string[] | undefined,
  name: string,
): string[] {
  const values: string[] = [];
  if (typeof name !== 'string' || name === '') return values;
  const s = headerString(header);
  // Fast path: the name does not occur anywhere.
  if (s.indexOf(name) === -1) return values;
  const nameLength = name.length;
  const pair = new Pairs(s, Infinity);
  while (pair.next()) {
    if (
      pair.nameEnd - pair.nameStart === nameLength &&
      s.startsWith(name, pair.nameStart) &&
      !hasCtl(s, pair.segmentStart, pair.segmentEnd)
    ) {
      pair.value();
      values.push(s.slice(pair.valueStart, pair.valueEnd));
    }
  }
  return values;
}
