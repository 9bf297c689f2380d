/**
 * How a store's key travels in the session cookie: one rule for every path that writes the
 * cookie (the common one, per-response attributes, `setCookies: false`) and for the one that
 * reads it. Security case S-18.
 *
 * A key made only of RFC 3986 unreserved characters (`A–Z a–z 0–9 - . _ ~`: the base64url of
 * sealed values and of the memory store's ids) is written as it is; any other key is
 * percent-encoded as UTF-8, as Ring's `wrap-session` encodes any key. On read, a cookie value
 * holding `%` is percent-decoded; one whose escapes are malformed cannot be a key we wrote,
 * and is no session. `+` stays `+` (Ring writes a space as `+`; no key a store issues holds a
 * space).
 */
import { SessionkitError } from '../core/errors.ts';

/** RFC 3986 §2.3 unreserved, which every cookie reader keeps as it is. */
const unreserved = /^[\w.~-]*$/;

/** The key as it goes into the cookie. */
export function encodeSessionKey(key: string): string {
  if (unreserved.test(key)) return key;
  let encoded: string;
  try {
    encoded = encodeURIComponent(key);
  } catch {
    throw new SessionkitError(
      'invalid_cookie',
      `wrapSession: the store returned a key of ${key.length} characters with a lone surrogate, which has no UTF-8 form`,
    );
  }
  // encodeURIComponent keeps ! ' ( ) *, which are cookie-octets but not unreserved.
  return encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The key a cookie value carries, or undefined when its percent-escapes are malformed. */
export function decodeSessionKey(value: string): string | undefined {
  if (value.indexOf('%') === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
