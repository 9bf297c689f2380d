import type { CookieAttrs } from '../core/types.ts';
import { timeoutDefaults } from './timeouts.ts';

/**
 * The defaults of `wrapSession`, kept as data. The cookie attributes are Kit's effective
 * session cookie: `Path=/; HttpOnly; Max-Age=86400; SameSite=Strict` (the Max-Age is the idle
 * timeout); `Secure` is added on HTTPS requests (`secure: 'auto'`).
 */
export const sessionDefaults = Object.freeze({
  cookieName: 'session',
  cookieAttrs: Object.freeze({
    path: '/',
    httpOnly: true,
    maxAge: timeoutDefaults.idleTimeoutSeconds,
    sameSite: 'strict',
  } satisfies CookieAttrs),
  secure: 'auto' as const,
});
