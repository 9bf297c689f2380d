// What Kit's example says, written once: every host's example answers these routes with
// these statuses and bodies, in its own idiom. `routes` is the list the tests walk.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ednToJson } from '../../src/ring.ts';
import type { RequestCookie, Revocations, SessionData } from '../../src/index.ts';

/** A route, and a request that exercises it. */
export interface ExampleRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** The request path, with its query. */
  readonly sample: string;
  /** For a POST: the page whose form gives the anti-forgery token, and the fields to send. */
  readonly form?: { readonly from: string; readonly fields: Readonly<Record<string, string>> };
}

/** Every route of the example. */
export const routes: readonly ExampleRoute[] = [
  { method: 'GET', path: '/', sample: '/' },
  {
    method: 'POST',
    path: '/login',
    sample: '/login',
    form: { from: '/', fields: { user: 'ann' } },
  },
  { method: 'POST', path: '/logout', sample: '/logout', form: { from: '/', fields: {} } },
  { method: 'GET', path: '/login/:id', sample: '/login/alice' },
  { method: 'GET', path: '/remove', sample: '/remove' },
  { method: 'GET', path: '/logout', sample: '/logout' },
  { method: 'GET', path: '/session', sample: '/session' },
  { method: 'GET', path: '/session/put', sample: '/session/put?k=theme&v=dark' },
  { method: 'GET', path: '/count', sample: '/count' },
  { method: 'GET', path: '/flash/set', sample: '/flash/set?msg=hello%20world' },
  { method: 'GET', path: '/flash/show', sample: '/flash/show' },
  { method: 'GET', path: '/cookies', sample: '/cookies' },
  { method: 'GET', path: '/cookies/set', sample: '/cookies/set' },
  { method: 'GET', path: '/form', sample: '/form' },
  { method: 'POST', path: '/form', sample: '/form', form: { from: '/form', fields: {} } },
  {
    method: 'POST',
    path: '/logout/all',
    sample: '/logout/all',
    form: { from: '/form', fields: {} },
  },
];

/**
 * `POST /logout/all` (with the anti-forgery token), in every example: ends every session of
 * the signed-in user (`revokeSubject`) and answers {@link say}`.signedOutEverywhere`, the
 * response ending this session too (`ended`); 403 `say.notSignedIn` without a subject; 501
 * `say.needsCookieStore` with another store; 503 when the revocation list cannot be told.
 * Both logins attach the user as the session's subject (`subjectOf(user)`).
 */
export async function logoutEverywhere(
  revocations: Revocations | undefined,
  subject: string | undefined,
): Promise<{ status: number; body: string; ended: boolean }> {
  if (revocations === undefined) return { status: 501, body: say.needsCookieStore, ended: false };
  if (subject === undefined) return { status: 403, body: say.notSignedIn, ended: false };
  try {
    await revocations.revokeSubject(subject);
  } catch {
    return { status: 503, body: 'Service Unavailable', ended: false };
  }
  return { status: 200, body: say.signedOutEverywhere, ended: true };
}

/**
 * The subject the examples attach for `user`: an id standing for the user (the example has no
 * user table), a digest of the name, so that a long name is not sealed twice in the cookie.
 */
export function subjectOf(user: string): string {
  return `user:${createHash('sha256').update(user).digest('base64url').slice(0, 22)}`;
}

/**
 * `GET /count`'s change: one more than the session's `count` (0 when it has none). Applied with
 * `updateSession`, which the server-side stores run atomically, so concurrent requests of one
 * session lose no increment.
 */
export function counted<S extends object>(session: S): S & { count: number } {
  const count = (session as { count?: unknown }).count;
  return { ...session, count: (typeof count === 'number' ? count : 0) + 1 };
}

/**
 * What the example's session may hold, checked on every read and write (`wrapSession`'s
 * `schema`): the signed-in `user`, the `/count` counter, and any string `/session/put` sets.
 * A stored session that does not match is no session, unless {@link migrateSession} mends it;
 * writing one that does not match is a programming error (`invalid_session`).
 */
export const exampleSession = z
  .object({ user: z.string().optional(), count: z.number().int().nonnegative().optional() })
  .catchall(z.string());

/**
 * The example's `migrate`: a counter an older version kept as a string of digits becomes a
 * number; anything else the schema refuses stays refused (no session).
 */
export function migrateSession(data: SessionData): SessionData | undefined {
  const { count } = data;
  return typeof count === 'string' && /^\d{1,15}$/.test(count)
    ? { ...data, count: Number(count) }
    : undefined;
}

/** Why `/session/put` refuses a key, or undefined: `user` and `count` have their own routes. */
export function putRefused(k: string): string | undefined {
  if (k === '') return say.kRequired;
  return k === 'user' || k === 'count' ? say.kReserved(k) : undefined;
}

/**
 * The most bytes a user name or a flash message may take, as the session stores it (UTF-8
 * JSON): both travel in the session cookie, which holds 4096 bytes in all. Counted in bytes,
 * not characters: a thousand `€` are 3000 bytes.
 */
export const maxTextBytes = 1000;

/** Whether `value` takes more than {@link maxTextBytes} in the session. */
export function tooLong(value: string): boolean {
  return Buffer.byteLength(JSON.stringify(value)) - 2 > maxTextBytes;
}

/** The response texts. */
export const say = {
  login: (id: string) => `User set to: ${id}`,
  welcome: (user: string) => `Welcome, ${user}`,
  userRequired: 'user is required',
  tooLong: (what: 'user' | 'id' | 'msg') => `${what} is too long: at most ${maxTextBytes} bytes`,
  removed: 'User removed',
  cleared: 'Session cleared',
  kRequired: 'k is required',
  kReserved: (k: 'user' | 'count') =>
    `k may not be ${k}: ${k === 'user' ? '/login' : '/count'} sets it`,
  put: (k: string) => `Put ${k}`,
  formOk: 'Form OK',
  signedOutEverywhere: 'Signed out everywhere',
  notSignedIn: 'Not signed in',
  needsCookieStore: 'Logging out everywhere needs the cookie store (SESSION_STORE=cookie)',
  cookieSet: 'Cookie set: theme=dark',
  notFound: 'Not Found',
  error: 'Internal Server Error',
} as const;

/** The cookie `/cookies/set` sets: Max-Age in seconds. */
export const themeCookie = {
  name: 'theme',
  value: 'dark',
  path: '/',
  maxAge: 3600,
  httpOnly: true,
  sameSite: 'lax',
} as const;

/** Text made safe to put in HTML, between tags or in a quoted attribute (OWASP XSS rule 1). */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A session or flash value as `/session` and `/flash/show` show it: with SESSION_STORE=ring a
 * Kit session may hold keywords, sets or big integers, shown as JSON.
 */
export function shown(value: unknown): unknown {
  return ednToJson(value);
}

/** `/cookies`: the request cookies without the HttpOnly session cookie, which is not for pages. */
export function pageCookies(
  cookies: Readonly<Record<string, RequestCookie>> | undefined,
  sessionCookie: string,
): Record<string, RequestCookie> {
  const { [sessionCookie]: _, ...others } = cookies ?? {};
  return others;
}

/** The first value of a form field, or undefined. */
export function field(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/** `GET /`: the flash once, then a sign-in form, or who is signed in and a way out. */
export function homePage(view: { user: unknown; flash: unknown; csrfInput: string }): string {
  const { user, flash, csrfInput } = view;
  const message = typeof flash === 'string' ? flash : JSON.stringify(shown(flash));
  const status = flash === undefined ? '' : `<p role="status">${escapeHtml(message)}</p>\n`;
  const account =
    typeof user === 'string'
      ? `<p>Signed in as ${escapeHtml(user)}</p>
<form method="post" action="/logout">
  ${csrfInput}
  <button type="submit">Sign out</button>
</form>`
      : `<form method="post" action="/login">
  ${csrfInput}
  <label>User <input name="user" required autocomplete="username"></label>
  <button type="submit">Sign in</button>
</form>`;
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>sessionkit example</title>
<h1>sessionkit example</h1>
${status}${account}
<p>Kit's session example on sessionkit: an encrypted cookie store, flash messages and cookies.</p>
<ul>
  <li><a href="/login/alice">/login/alice</a> puts <code>user</code> in the session</li>
  <li><a href="/remove">/remove</a> takes <code>user</code> out of the session</li>
  <li><a href="/logout">/logout</a> deletes the session</li>
  <li><a href="/session">/session</a> shows the session data</li>
  <li><a href="/flash/set?msg=hello%20world">/flash/set?msg=hello world</a> redirects to <a href="/flash/show">/flash/show</a>, which shows the flash once</li>
  <li><a href="/cookies">/cookies</a> shows the request's cookies; <a href="/cookies/set">/cookies/set</a> sets one</li>
  <li><a href="/form">/form</a> posts a form protected by an anti-forgery token</li>
</ul>
`;
}

/** `GET /form`, around the hidden input that carries the anti-forgery token. */
export function formPage(csrfInput: string): string {
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>A protected form</title>
<form method="post" action="/form">
  ${csrfInput}
  <label>Message <input name="message"></label>
  <button type="submit">Send</button>
</form>
`;
}
