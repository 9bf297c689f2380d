import type { CookieAttrs } from '../core/types.ts';
import { timeoutDefaults } from './timeouts.ts';

/**
 * The defaults of `wrapSession`, kept as data. The cookie attributes are Kit's effective
 * session cookie: `Path=/; HttpOnly; Max-Age=86400; SameSite=Strict` (the Max-Age is the idle
 * timeout); `Secure` is added on HTTPS requests (`secure: 'auto'`).
 */
export const sessionDefaults = Object.freeze({
  cookieName: 'session',
  /**
   * The name `sessionOptionsFromEnv` gives the cookie in production, where it is always
   * Secure: a `__Host-` cookie cannot be set by another subdomain nor for another Path
   * (RFC 6265bis §4.1.3.2), which ends cookie tossing (security case K-08).
   */
  productionCookieName: '__Host-session',
  cookieAttrs: Object.freeze({
    path: '/',
    httpOnly: true,
    maxAge: timeoutDefaults.idleTimeoutSeconds,
    sameSite: 'strict',
  } satisfies CookieAttrs),
  secure: 'auto' as const,
});
