// The Kit documentation's session example, on sessionkit. `main.ts` serves it.
import FindMyWay from 'find-my-way';
import {
  compose,
  csrfInput,
  html,
  json,
  memoryStore,
  notFound,
  redirect,
  sessionOptionsFromEnv,
  text,
  wrapCookies,
  wrapCsrf,
  wrapFlash,
  wrapSession,
} from '../../src/index.ts';
import type { RedisEnv } from './redis.ts';
import type {
  Handler,
  Logger,
  RequestMap,
  SessionEnv,
  SessionEnvOptions,
  SessionOptions,
} from '../../src/index.ts';
import { ednToJson } from '../../src/ring.ts';

type Route = (request: RequestMap) => ReturnType<Handler>;

/**
 * The most bytes a user name or a flash message may take, as the session stores it (UTF-8
 * JSON): both travel in the session cookie, which holds 4096 bytes in all. Counted in bytes,
 * not characters: a thousand `€` are 3000 bytes.
 */
const maxTextBytes = 1000;

function tooLong(value: string): boolean {
  return Buffer.byteLength(JSON.stringify(value)) - 2 > maxTextBytes;
}

/** Text made safe to put in HTML, between tags or in a quoted attribute (OWASP XSS rule 1). */
function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The home page: the flash once, then a sign-in form, or who is signed in and a way out. */
function homePage(request: RequestMap): string {
  const user = request.session?.user;
  const flash = request.flash;
  const message = typeof flash === 'string' ? flash : JSON.stringify(ednToJson(flash));
  const status = flash === undefined ? '' : `<p role="status">${escapeHtml(message)}</p>\n`;
  const account =
    typeof user === 'string'
      ? `<p>Signed in as ${escapeHtml(user)}</p>
<form method="post" action="/logout">
  ${csrfInput(request)}
  <button type="submit">Sign out</button>
</form>`
      : `<form method="post" action="/login">
  ${csrfInput(request)}
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

/** The first value of a form field, or undefined. */
function field(request: RequestMap, name: string): string | undefined {
  const value = request.form?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The example's routes, each a Ring-style handler. `sessionCookie` is the session cookie's
 * name, which `/cookies` leaves out.
 */
function routes(sessionCookie: string): Handler {
  const router = FindMyWay<FindMyWay.HTTPVersion.V1>({ maxParamLength: 8192 });
  const routeTable = new Map<FindMyWay.Handler<FindMyWay.HTTPVersion.V1>, Route>();
  const on = (method: 'GET' | 'POST', path: string, route: Route): void => {
    const marker: FindMyWay.Handler<FindMyWay.HTTPVersion.V1> = () => undefined;
    routeTable.set(marker, route);
    router.on(method, path, marker);
  };

  on('GET', '/', (request) => html(homePage(request)));
  on('POST', '/login', (request) => {
    const user = field(request, 'user')?.trim() ?? '';
    if (user === '') return text('user is required', 400);
    if (tooLong(user)) return text(`user is too long: at most ${maxTextBytes} bytes`, 400);
    // A new session key on login (session fixation; OWASP SM "Renew the Session ID").
    return {
      ...redirect('/', 303),
      session: { ...request.session, user },
      regenerateSession: true,
      flash: `Welcome, ${user}`,
    };
  });
  on('POST', '/logout', () => ({ ...redirect('/', 303), session: null }));
  on('GET', '/login/:id', (request) => {
    const id = request.params?.id ?? '';
    if (tooLong(id)) return text(`id is too long: at most ${maxTextBytes} bytes`, 400);
    return {
      ...text(`User set to: ${id}`),
      session: { ...request.session, user: id },
      regenerateSession: true,
    };
  });
  on('GET', '/remove', (request) => {
    const { user: _, ...rest } = request.session ?? {};
    return { ...text('User removed'), session: rest };
  });
  on('GET', '/logout', () => ({ ...text('Session cleared'), session: null }));
  // With SESSION_STORE=ring a Kit session may hold keywords, sets or big integers: shown as JSON.
  on('GET', '/session', (request) => json(ednToJson(request.session ?? {})));
  on('GET', '/session/put', (request) => {
    const k = request.query.get('k');
    if (k === null || k === '') return text('k is required', 400);
    const v = request.query.get('v') ?? '';
    return { ...text(`Put ${k}`), session: { ...request.session, [k]: v } };
  });
  on('GET', '/flash/set', (request) => {
    const msg = request.query.get('msg');
    if (msg === null) return redirect('/flash/show', 303); // no msg, no flash (as Kit)
    if (tooLong(msg)) return text(`msg is too long: at most ${maxTextBytes} bytes`, 400);
    return { ...redirect('/flash/show', 303), flash: msg };
  });
  on('GET', '/flash/show', (request) => json({ flash: ednToJson(request.flash ?? null) }));
  // The HttpOnly session cookie is not for scripts: a page that echoed it would undo that.
  on('GET', '/cookies', (request) => {
    const { [sessionCookie]: _, ...others } = request.cookies ?? {};
    return json(others);
  });
  on('GET', '/form', (request) =>
    html(`<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>A protected form</title>
<form method="post" action="/form">
  ${csrfInput(request)}
  <label>Message <input name="message"></label>
  <button type="submit">Send</button>
</form>
`),
  );
  on('POST', '/form', () => text('Form OK'));
  on('GET', '/cookies/set', () => ({
    ...text('Cookie set: theme=dark'),
    cookies: { theme: { value: 'dark', path: '/', maxAge: 3600, httpOnly: true, sameSite: 'lax' } },
  }));

  return (request) => {
    // HEAD is GET without the body (RFC 9110 §9.3.2); the host drops the body.
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const found = router.find(method as FindMyWay.HTTPMethod, request.path);
    const route = found === null ? undefined : routeTable.get(found.handler);
    if (found === null || route === undefined) return notFound();
    request.params = found.params as Record<string, string>;
    return route(request);
  };
}

/** The example's environment: Kit's variables, plus `SESSION_STORE` (and Redis's, for main.ts). */
export interface ExampleEnv extends SessionEnv, RedisEnv {
  /**
   * `cookie` (the default: the encrypted cookie store), `ring` (Ring's format, shared with a
   * Kit application), `memory` (this process only) or `redis` (shared by every process on
   * the same Redis; `options.store` from `connectRedis`).
   */
  SESSION_STORE?: string | undefined;
}

function sessionOptions(env: ExampleEnv, options: ExampleOptions): SessionOptions {
  switch (env.SESSION_STORE ?? 'cookie') {
    case 'cookie':
    case 'ring':
      return sessionOptionsFromEnv(env, options);
    case 'memory':
      return sessionOptionsFromEnv(env, { ...options, store: (timeouts) => memoryStore(timeouts) });
    case 'redis':
      if (options.store === undefined) {
        throw new Error(
          'SESSION_STORE=redis: pass the store of connectRedis(env) as options.store',
        );
      }
      return sessionOptionsFromEnv(env, options);
    default:
      throw new Error(
        `SESSION_STORE is invalid: got ${JSON.stringify(env.SESSION_STORE)}, expected cookie, ring, memory or redis`,
      );
  }
}

/** Options of {@link createApp}. */
export interface ExampleOptions extends SessionEnvOptions {
  /** Where the configuration, the session, the cookies and CSRF refusals report. @default console */
  logger?: Logger | undefined;
}

/**
 * The whole application: cookies, the session (Kit's settings from the environment), flash,
 * and anti-forgery protection around the routes, as Kit's html module places it. With
 * SESSION_STORE=ring the session and the anti-forgery tokens are shared with a Kit application.
 */
export function createApp(env: ExampleEnv = process.env, options: ExampleOptions = {}): Handler {
  const session = sessionOptions(env, options);
  const { logger } = options;
  return compose(
    wrapCookies({ logger }),
    wrapSession({ ...session, logger }),
    wrapFlash(),
    wrapCsrf({ tokens: env.SESSION_STORE === 'ring' ? 'ring' : 'masked', logger }), // as wrapDefaults() does
  )(routes(session.cookieName ?? session.store.cookieName ?? 'session'));
}
