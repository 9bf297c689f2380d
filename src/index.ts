export { compose } from './lib/compose.ts';
export { SessionkitError } from './lib/errors.ts';
export type { SessionkitErrorCode } from './lib/errors.ts';
export { html, json, notFound, redirect, text } from './lib/response.ts';
export type { RedirectStatus } from './lib/response.ts';
export type { SessionStore, StoredSession, TimeoutOptions } from './lib/store.ts';
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
