export { compose } from './core/compose.ts';
export { composeHalves, wrapHalves } from './core/halves.ts';
export type { Early, Halves } from './core/halves.ts';
export { secretWeakness, sessionOptionsFromEnv } from './config/env.ts';
export type { SessionEnv, SessionEnvOptions, StoreTimeouts } from './config/env.ts';
export { cookieValues, parseCookie } from './cookies/parse.ts';
export { serializeCookie } from './cookies/serialize.ts';
export { cookieStore, cookieStoreDefaults } from './stores/cookie/cookie-store.ts';
export type {
  CookieInspection,
  CookieStore,
  CookieStoreOptions,
  OpenedCookie,
  UnopenedCookie,
} from './stores/cookie/cookie-store.ts';
export type { SealFailure } from './crypto/seal.ts';
export { memoryRevocations, revocationDefaults } from './session/revocations.ts';
export type { MemoryRevocationsOptions, Revocations } from './session/revocations.ts';
export { SessionkitError } from './core/errors.ts';
export type { SessionkitErrorCode } from './core/errors.ts';
export { flashHalves, flashKey, wrapFlash } from './session/flash.ts';
export { randomSecret } from './crypto/keys.ts';
export { memoryStore, memoryStoreDefaults } from './stores/memory/memory-store.ts';
export { migratingStore } from './stores/migrating/migrating-store.ts';
export type { MigratingStoreOptions } from './stores/migrating/migrating-store.ts';
export type { MemoryEntry, MemoryStoreOptions } from './stores/memory/memory-store.ts';
export { html, json, notFound, redirect, text } from './core/response.ts';
export type { RedirectStatus } from './core/response.ts';
export { sessionDefaults } from './session/defaults.ts';
export { sessionHalves, updateSession } from './session/wrap-session.ts';
export { defaultHalves, wrapDefaults, wrapSession } from './config/wrap.ts';
export type { DefaultsOptions } from './config/wrap.ts';
export type { SessionOptions } from './session/wrap-session.ts';
export type { SessionMigration } from './session/schema.ts';
export type {
  StandardSchemaIssue,
  StandardSchemaProps,
  StandardSchemaResult,
  StandardSchemaV1,
} from './core/standard-schema.ts';
export { parseSessionJson, stringifySession } from './session/session-json.ts';
export type {
  SessionChange,
  SessionStore,
  StoredSession,
  TimeoutOptions,
} from './session/store.ts';
export { resolveTimeouts, timeoutDefaults } from './session/timeouts.ts';
export type { ResolvedTimeouts } from './session/timeouts.ts';
export type {
  CookieAttrs,
  CookiePriority,
  FormFields,
  Handler,
  HandlerResult,
  Logger,
  Middleware,
  RequestMap,
  RequestCookie,
  RequestHeaders,
  ResponseMap,
  ResponseCookie,
  ResponseHeaders,
  SameSite,
  SessionData,
} from './core/types.ts';
export { cookieBudget, cookieHalves, wrapCookies } from './cookies/wrap-cookies.ts';
export type { CookiesOptions } from './cookies/wrap-cookies.ts';
export { csrfField, csrfHalves, csrfInput, wrapCsrf } from './csrf/wrap-csrf.ts';
export type { CsrfFailure, CsrfOptions } from './csrf/wrap-csrf.ts';
