/**
 * The codes a {@link SessionkitError} can carry. Branch on `error.code`, never on the message.
 *
 * - `invalid_option`: a constructor or function received an option it cannot use.
 * - `invalid_cookie`: a cookie name, value or attribute cannot be serialized safely.
 * - `cookie_too_large`: a Set-Cookie would exceed the 4096-byte browser limit.
 * - `insecure_secret`: a secret is missing, short, a known default or low in entropy.
 * - `unserializable_session`: session data that JSON cannot represent faithfully.
 * - `session_too_large`: session data past a server-side store's size limit.
 * - `invalid_session`: session data the session's `schema` refuses, written by the application.
 * - `missing_middleware`: a request or response needs a middleware that is not applied, or
 *   is applied in the wrong order (the message names the fix).
 * - `invalid_edn`: text that `parseEdn` refuses (the Ring cookie store reads it as no session).
 */
export type SessionkitErrorCode =
  | 'invalid_option'
  | 'invalid_cookie'
  | 'cookie_too_large'
  | 'insecure_secret'
  | 'unserializable_session'
  | 'session_too_large'
  | 'invalid_session'
  | 'missing_middleware'
  | 'invalid_edn';

/**
 * The one error class sessionkit throws. Misconfiguration throws it at construction;
 * untrusted input never does.
 *
 * @example
 * try { serializeCookie('bad name', 'v') } catch (e) {
 *   if (e instanceof SessionkitError && e.code === 'invalid_cookie') { … }
 * }
 */
export class SessionkitError extends Error {
  override name = 'SessionkitError';
  readonly code: SessionkitErrorCode;

  constructor(code: SessionkitErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Shorthand for the style guide's message shape: `what: option X is invalid: got Y, expected Z`. */
export function invalidOption(
  what: string,
  option: string,
  got: unknown,
  expected: string,
): SessionkitError {
  return new SessionkitError(
    'invalid_option',
    `${what}: option ${option} is invalid: got ${describe(got)}, expected ${expected}`,
  );
}

/** A short, safe description of a value for error messages (never the full content of strings). */
export function describe(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'a Date';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  return `${value as number | boolean | bigint | undefined}`;
}
