/**
 * The public `wrapSession` and `wrapDefaults`: the middleware configured from the environment
 * when no options are given, as Kit configures itself.
 */
import { composeHalves, wrapHalves } from '../core/halves.ts';
import type { Halves } from '../core/halves.ts';
import { checkOptions } from '../core/options.ts';
import type { JsonValue, Middleware, SessionData, SessionShape } from '../core/types.ts';
import { cookieHalves } from '../cookies/wrap-cookies.ts';
import type { CookiesOptions } from '../cookies/wrap-cookies.ts';
import { csrfHalves } from '../csrf/wrap-csrf.ts';
import type { CsrfOptions } from '../csrf/wrap-csrf.ts';
import { flashHalves } from '../session/flash.ts';
import { sessionHalves } from '../session/wrap-session.ts';
import type { SessionOptions } from '../session/wrap-session.ts';
import type { StandardSchemaV1 } from '../core/standard-schema.ts';
import { sessionOptionsFromEnv } from './env.ts';
import { csrfOptionsFromEnv } from './ring-env.ts';

/**
 * Ring's `wrap-session`. The request gets `session` (the stored data, or `{}`) and
 * `sessionKey`; the response's `session` is written (an object), deleted with its cookie
 * expired (`null`), or left alone (absent). `regenerateSession: true` moves the data to a
 * new key (login), `sessionCookieAttrs` sets cookie attributes for this response only.
 *
 * Without options it is configured from the environment, as Kit is:
 * `sessionOptionsFromEnv()` (the encrypted cookie store with `COOKIE_SECRET`, Kit's cookie).
 *
 * @example
 * const app = wrapSession()((request) => ({
 *   ...text('hi'),
 *   session: { ...request.session, visits: Number(request.session?.visits ?? 0) + 1 },
 * }));
 */
export function wrapSession<S extends SessionShape<S>, F = JsonValue>(
  options: SessionOptions & { schema: StandardSchemaV1<unknown, S> },
): Middleware<S, F>;
export function wrapSession<S extends SessionShape<S> = SessionData, F = JsonValue>(
  options?: SessionOptions,
): Middleware<S, F>;
export function wrapSession(options?: SessionOptions): Middleware {
  return wrapHalves(sessionHalves(options ?? sessionOptionsFromEnv()));
}

/** Options of {@link wrapDefaults}: each middleware's own options. */
export interface DefaultsOptions {
  /** @default sessionOptionsFromEnv() */
  session?: SessionOptions | undefined;
  cookies?: CookiesOptions | undefined;
  /**
   * `false` leaves CSRF protection out (for an API that authenticates otherwise).
   * @default `{ tokens: 'ring' }` when the session comes from the environment with
   * `SESSION_STORE=ring` (tokens shared with Kit), else `{}`
   */
  csrf?: CsrfOptions | false | undefined;
}

/**
 * Ring-defaults' idea in one call: `wrapCookies`, `wrapSession`, `wrapFlash` and `wrapCsrf`,
 * composed in the one order that works, configured from the environment unless options say
 * otherwise.
 *
 * @example
 * const app = wrapDefaults()(routes);
 * // the same as compose(wrapCookies(), wrapSession(), wrapFlash(), wrapCsrf())(routes)
 */
export function wrapDefaults<S extends SessionShape<S>, F = JsonValue>(
  options: DefaultsOptions & { session: SessionOptions & { schema: StandardSchemaV1<unknown, S> } },
): Middleware<S, F>;
export function wrapDefaults<S extends SessionShape<S> = SessionData, F = JsonValue>(
  options?: DefaultsOptions,
): Middleware<S, F>;
export function wrapDefaults(options: DefaultsOptions = {}): Middleware {
  return wrapHalves(defaultHalves(options));
}

/** {@link wrapDefaults}' halves, for a host adapter that cannot wrap a handler. */
export function defaultHalves(options: DefaultsOptions = {}): Halves {
  checkOptions('wrapDefaults', options, ['session', 'cookies', 'csrf']);
  const halves = [
    cookieHalves(options.cookies),
    sessionHalves(options.session ?? sessionOptionsFromEnv()),
    flashHalves(),
  ];
  if (options.csrf !== false) {
    const fromEnv = options.session === undefined ? csrfOptionsFromEnv() : undefined;
    halves.push(csrfHalves(options.csrf ?? fromEnv));
  }
  return composeHalves(...halves);
}
