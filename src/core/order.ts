/**
 * Where a middleware must sit: `wrapFlash` and `wrapCsrf` keep their data in the session, so
 * they must run inside `wrapSession`. `compose` checks the order of what it is given; a
 * middleware that finds no session on a request says so too (for middleware composed apart).
 */
import { SessionkitError } from './errors.ts';

/** The middleware whose place matters. */
export type Role = 'cookies' | 'session' | 'flash' | 'csrf';

const names: Readonly<Record<Role, string>> = {
  cookies: 'wrapCookies',
  session: 'wrapSession',
  flash: 'wrapFlash',
  csrf: 'wrapCsrf',
};

/** The error for a middleware that needs a session and runs where there is none. */
export function needsSession(role: 'flash' | 'csrf'): SessionkitError {
  return new SessionkitError(
    'missing_middleware',
    `${names[role]}: request.session is undefined: ${names[role]} keeps its data in the session, so apply wrapSession outside it, as in compose(wrapCookies(), wrapSession(), wrapFlash(), wrapCsrf())(routes), or use wrapDefaults()`,
  );
}

/**
 * Throws `missing_middleware` when `roles` (outermost first, `undefined` for middleware whose
 * place does not matter) put `wrapFlash` or `wrapCsrf` outside `wrapSession`.
 */
export function checkOrder(roles: readonly (Role | undefined)[]): void {
  const session = roles.indexOf('session');
  if (session === -1) return; // composed apart: the request half will tell
  for (let i = 0; i < session; i++) {
    const role = roles[i];
    if (role === 'flash' || role === 'csrf') {
      throw new SessionkitError(
        'missing_middleware',
        `${names[role]} is listed before wrapSession, so it would run outside the session: list wrapSession first, as in compose(wrapCookies(), wrapSession(), wrapFlash(), wrapCsrf())`,
      );
    }
  }
}
