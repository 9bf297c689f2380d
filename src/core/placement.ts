/**
 * Where each middleware must sit, and the errors that say so. `wrapFlash` and `wrapCsrf` keep
 * their data in the session, so they must run inside `wrapSession`: `compose` checks the order
 * of what it is given, and a middleware that finds no session on a request says so too (for
 * middleware composed apart). A response that reaches a host still carrying `session`, `flash`
 * or `cookies` had no middleware to send them.
 */
import { SessionkitError } from './errors.ts';
import type { ResponseMap } from './types.ts';

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

const fix =
  'apply it around the handler, as in compose(wrapCookies(), wrapSession(), wrapFlash(), wrapCsrf())(routes), or use wrapDefaults()';

/**
 * The error for a response that reaches a host still carrying what only a middleware can
 * send (`session`, `flash`, `cookies`): without it, the change would be dropped silently.
 * Undefined when nothing is left over.
 */
export function leftoverError(response: ResponseMap): SessionkitError | undefined {
  const { session, regenerateSession, sessionCookieAttrs, flash, cookies } = response;
  let field: string | undefined;
  let middleware = '';
  if (
    session !== undefined ||
    regenerateSession !== undefined ||
    sessionCookieAttrs !== undefined
  ) {
    field =
      session !== undefined
        ? 'session'
        : regenerateSession !== undefined
          ? 'regenerateSession'
          : 'sessionCookieAttrs';
    middleware = 'wrapSession';
  } else if (flash !== undefined && flash !== null && flash !== false) {
    field = 'flash';
    middleware = 'wrapFlash (inside wrapSession)';
  } else if (cookies !== undefined && Object.keys(cookies).length > 0) {
    field = 'cookies';
    middleware = 'wrapCookies';
  }
  if (field === undefined) return undefined;
  return new SessionkitError(
    'missing_middleware',
    `the response sets ${field} but ${middleware} did not handle it, so it would be lost: ${fix}`,
  );
}
