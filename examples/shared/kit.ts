// What Kit's example says, written once: every host's example answers these routes with
// these statuses and bodies, in its own idiom. `routes` is the list the tests walk.

/** A route, and a request path (with its query) that exercises it. */
export interface ExampleRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly sample: string;
}

/** Every route of the example. */
export const routes: readonly ExampleRoute[] = [
  { method: 'GET', path: '/', sample: '/' },
  { method: 'GET', path: '/login/:id', sample: '/login/alice' },
  { method: 'GET', path: '/remove', sample: '/remove' },
  { method: 'GET', path: '/logout', sample: '/logout' },
  { method: 'GET', path: '/session', sample: '/session' },
  { method: 'GET', path: '/session/put', sample: '/session/put?k=theme&v=dark' },
  { method: 'GET', path: '/flash/set', sample: '/flash/set?msg=hello%20world' },
  { method: 'GET', path: '/flash/show', sample: '/flash/show' },
  { method: 'GET', path: '/cookies', sample: '/cookies' },
  { method: 'GET', path: '/cookies/set', sample: '/cookies/set' },
  { method: 'GET', path: '/form', sample: '/form' },
  { method: 'POST', path: '/form', sample: '/form' },
];

/** The response texts. */
export const say = {
  login: (id: string) => `User set to: ${id}`,
  removed: 'User removed',
  cleared: 'Session cleared',
  put: (k: string) => `Put ${k}`,
  formOk: 'Form OK',
  cookieSet: 'Cookie set: theme=dark',
  notFound: 'Not Found',
  error: 'Internal Server Error',
} as const;

/** `/session/put`'s check: the 400 message, or undefined when `k` is usable. */
export function putProblem(k: string | null | undefined): string | undefined {
  return k === null || k === undefined || k === '' ? 'k is required' : undefined;
}

/** `/flash/set`'s check. The flash travels in the session cookie, which holds 4 KB in all. */
export function flashProblem(msg: string): string | undefined {
  return msg.length > 1000 ? 'msg is too long: at most 1000 characters' : undefined;
}

/** The cookie `/cookies/set` sets: Max-Age in seconds. */
export const themeCookie = {
  name: 'theme',
  value: 'dark',
  path: '/',
  maxAge: 3600,
  httpOnly: true,
  sameSite: 'lax',
} as const;

/** `GET /`. */
export const homePage = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>sessionkit example</title>
<h1>sessionkit example</h1>
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
