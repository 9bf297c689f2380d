import type { CookieAttrs } from '../core/types.ts';
import { timeoutDefaults } from './timeouts.ts';

/**
 * The defaults of `wrapSession`, kept as data. The cookie attributes are Kit's effective
 * session cookie, `Path=/; HttpOnly; Max-Age=86400` (the Max-Age is the idle timeout), but
 * `SameSite=Lax` where Kit has `Strict`: a Strict cookie stays home when another site links
 * to the application, so the user arrives signed out (docs/decisions/0013-samesite-lax.md;
 * security case L-16). `Secure` is added on HTTPS requests (`secure: 'auto'`).
 */
export const sessionDefaults = Object.freeze({
  cookieName: 'session',
  /**
   * The name `sessionOptionsFromEnv` gives the cookie in production, where it is always
   * Secure: a `__Host-` cookie cannot be set by another subdomain nor for another Path
   * (RFC 6265bis §4.1.3.2), which ends cookie tossing (security case K-12).
   */
  productionCookieName: '__Host-session',
  cookieAttrs: Object.freeze({
    path: '/',
    httpOnly: true,
    maxAge: timeoutDefaults.idleTimeoutSeconds,
    sameSite: 'lax',
  } satisfies CookieAttrs),
  secure: 'auto' as const,
});
