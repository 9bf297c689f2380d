/**
 * The `Cookie` request header parser: the header in, `{ name: value }` or one name's values out.
 * Pure, synchronous, no dependencies. Grammar and algorithms from RFC 6265bis
 * (draft-ietf-httpbis-rfc6265bis); the policy choices are in
 * docs/decisions/0001-cookie-codec.md.
 */

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
 * True when a string has no CTL other than HTAB (RFC 5234 B.1: %x00-1F / %x7F). One character
 * class under one greedy quantifier, anchored at both ends: on a failing string the engine
 * gives characters back one at a time to retry `$` and never restarts elsewhere, so the test
 * is linear. It is the fastest exact check measured, about 0.4 ns per character, 2-3 times
 * faster than a charCodeAt loop.
 */
const NO_CTL = /^[\t\x20-\x7e\x80-\uffff]*$/;

/**
 * Called for each segment that has a non-empty name before an "=", with the bounds of the
 * whole segment (for the control-character check) and of its trimmed, unquoted name and value.
 */
type PairVisitor = (
  segmentStart: number,
  segmentEnd: number,
  nameStart: number,
  nameEnd: number,
  valueStart: number,
  valueEnd: number,
) => void;

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

/**
 * True when `s[from..to)` holds a CTL other than HTAB. Such a pair is ignored, as user agents
 * ignore a Set-Cookie holding one (RFC 6265bis §5.6 step 1).
 */
function hasCtl(s: string, from: number, to: number): boolean {
  return !NO_CTL.test(s.slice(from, to));
}

/**
 * Walks `s` pair by pair, linear in its length, at most `maxSegments` segments.
 * Splits on ";" only (no "," and no RFC 2109 quoted-string: RFC 6265bis §4.2.1); skips
 * segments without "=" or with an empty name; trims SP/HTAB; strips one DQUOTE pair. The
 * control-character check is the visitor's, which knows which pairs it needs.
 */
function forEachPair(s: string, maxSegments: number, visit: PairVisitor): void {
  const len = s.length;
  // Position of the next "=" at or after `pos`, reused while it lies beyond the current segment,
  // so that a run of segments without "=" is not searched again and again.
  let eq = s.indexOf('=');
  let pos = 0;
  for (let segments = 0; eq !== -1 && pos < len && segments < maxSegments; segments++) {
    let end = s.indexOf(';', pos);
    if (end === -1) end = len;
    if (eq < pos) eq = s.indexOf('=', pos);
    if (eq !== -1 && eq < end) {
      let nameStart = pos;
      while (nameStart < eq && isWsp(s.charCodeAt(nameStart))) nameStart++;
      let nameEnd = eq;
      while (nameEnd > nameStart && isWsp(s.charCodeAt(nameEnd - 1))) nameEnd--;
      if (nameEnd > nameStart) {
        let valueStart = eq + 1;
        while (valueStart < end && isWsp(s.charCodeAt(valueStart))) valueStart++;
        let valueEnd = end;
        while (valueEnd > valueStart && isWsp(s.charCodeAt(valueEnd - 1))) valueEnd--;
        // RFC 6265bis §4.1.1: cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE ).
        // The DQUOTEs are part of the value to a user agent; we strip one surrounding pair,
        // as Ring does, so a quoted sealed value still reaches its check.
        if (
          valueEnd - valueStart >= 2 &&
          s.charCodeAt(valueStart) === 0x22 &&
          s.charCodeAt(valueEnd - 1) === 0x22
        ) {
          valueStart++;
          valueEnd--;
        }
        visit(pos, end, nameStart, nameEnd, valueStart, valueEnd);
      }
    }
    pos = end + 1;
  }
}

/** decodeURIComponent when there is a "%"; the raw value when the escapes are malformed. */
function decodeValue(value: string): string {
  if (value.indexOf('%') === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
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
  // Every pair is kept, so one check of the whole header is cheapest; browsers never send a
  // CTL, so the per-pair checks only run on hand-made headers.
  const checkPairs = !NO_CTL.test(s);
  forEachPair(
    s,
    MAX_COOKIE_PAIRS,
    (segmentStart, segmentEnd, nameStart, nameEnd, valueStart, valueEnd) => {
      const name = s.slice(nameStart, nameEnd);
      if (cookies[name] !== undefined) return;
      if (checkPairs && hasCtl(s, segmentStart, segmentEnd)) return;
      if (decode === undefined) {
        cookies[name] = decodeValue(s.slice(valueStart, valueEnd));
        return;
      }
      const value = decoded(decode, s.slice(valueStart, valueEnd), name);
      if (value !== undefined) cookies[name] = value;
    },
  );
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
  forEachPair(s, Infinity, (segmentStart, segmentEnd, nameStart, nameEnd, valueStart, valueEnd) => {
    if (
      nameEnd - nameStart === nameLength &&
      s.startsWith(name, nameStart) &&
      !hasCtl(s, segmentStart, segmentEnd)
    ) {
      values.push(s.slice(valueStart, valueEnd));
    }
  });
  return values;
}
