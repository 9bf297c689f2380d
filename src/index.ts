export { compose } from './lib/compose.ts';
export { secretWeakness, sessionOptionsFromEnv } from './lib/config.ts';
export type { SessionEnv, SessionEnvOptions } from './lib/config.ts';
export { cookieValues, parseCookie } from './lib/cookie-parse.ts';
export { serializeCookie } from './lib/cookie-serialize.ts';
export { cookieStore } from './lib/cookie-store.ts';
export type { CookieStore, CookieStoreOptions } from './lib/cookie-store.ts';
export { SessionkitError } from './lib/errors.ts';
export type { SessionkitErrorCode } from './lib/errors.ts';
export { flashKey, wrapFlash } from './lib/flash.ts';
export { randomSecret } from './lib/keys.ts';
export { memoryStore } from './lib/memory-store.ts';
export type { MemoryStoreOptions } from './lib/memory-store.ts';
export { html, json, notFound, redirect, text } from './lib/response.ts';
export type { RedirectStatus } from './lib/response.ts';
export { sessionCookieDefaults, wrapSession } from './lib/session.ts';
export type { SessionOptions } from './lib/session.ts';
export type { SessionStore, StoredSession, TimeoutOptions } from './lib/store.ts';
export { timeoutDefaults } from './lib/timeouts.ts';
export type {
  CookieAttributes,
  CookiePriority,
  FormFields,
  Handler,
  Logger,
  Middleware,
  Request,
  RequestCookie,
  RequestHeaders,
  Response,
  ResponseCookie,
  ResponseHeaders,
  SameSite,
  SessionData,
} from './lib/types.ts';
export { cookieBudget, wrapCookies } from './lib/wrap-cookies.ts';
export type { CookiesOptions } from './lib/wrap-cookies.ts';
export { csrfField, csrfInput, wrapCsrf } from './lib/csrf.ts';
export type { CsrfFailure, CsrfOptions } from './lib/csrf.ts';
