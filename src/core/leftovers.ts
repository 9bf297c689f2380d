import { SessionkitError } from './errors.ts';
import type { ResponseMap } from './types.ts';

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
