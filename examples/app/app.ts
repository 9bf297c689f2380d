// The Kit documentation's session example, on sessionkit. `main.ts` serves it.
import FindMyWay from 'find-my-way';
import {
  compose,
  csrfInput,
  html,
  json,
  memoryRevocations,
  memoryStore,
  notFound,
  redirect,
  sessionOptionsFromEnv,
  text,
  timeoutDefaults,
  wrapCookies,
  wrapCsrf,
  wrapFlash,
  wrapSession,
} from '../../src/index.ts';
import type { RedisEnv } from './redis.ts';
import type {
  Handler,
  RequestMap,
  Revocations,
  SessionEnv,
  SessionEnvOptions,
  SessionOptions,
} from '../../src/index.ts';
import { ednToJson } from '../../src/ring.ts';

type Route = (request: RequestMap) => ReturnType<Handler>;

const home = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>sessionkit example</title>
<h1>sessionkit example</h1>
<p>Kit's session example on sessionkit: an encrypted cookie store, flash messages and cookies.</p>
<ul>
  <li><a href="/login/alice">/login/alice</a> puts <code>user</code> in the session</li>
  <li><a href="/remove">/remove</a> takes <code>user</code> out of the session</li>
  <li><a href="/logout">/logout</a> deletes the session (with the cookie store, revokes it: a copy of the cookie no longer opens)</li>
  <li><code>POST /logout/all</code>, with the anti-forgery token of a form such as <a href="/form">/form</a>'s, ends every session of the signed-in user</li>
  <li><a href="/session">/session</a> shows the session data</li>
  <li><a href="/flash/set?msg=hello%20world">/flash/set?msg=hello world</a> redirects to <a href="/flash/show">/flash/show</a>, which shows the flash once</li>
  <li><a href="/cookies">/cookies</a> shows the request's cookies; <a href="/cookies/set">/cookies/set</a> sets one</li>
  <li><a href="/form">/form</a> posts a form protected by an anti-forgery token</li>
</ul>
`;

/** What the routes need besides the request: the revocation list, when the store uses one. */
interface RouteContext {
  /** The store keeps a subject with each session: login attaches the user id. */
  subjects: boolean;
  revocations: Revocations | undefined;
}

/** The example's routes, each a Ring-style handler. */
function routes({ subjects, revocations }: RouteContext): Handler {
  const router = FindMyWay<FindMyWay.HTTPVersion.V1>({ maxParamLength: 1000 });
  const routeTable = new Map<FindMyWay.Handler<FindMyWay.HTTPVersion.V1>, Route>();
  const on = (method: 'GET' | 'POST', path: string, route: Route): void => {
    const marker: FindMyWay.Handler<FindMyWay.HTTPVersion.V1> = () => undefined;
    routeTable.set(marker, route);
    router.on(method, path, marker);
  };

  on('GET', '/', () => html(home));
  on('GET', '/login/:id', (request) => {
    const id = request.params?.id ?? '';
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f]/.test(id)) return text('id must be printable', 400);
    // A new session key on login (session fixation; OWASP SM "Renew the Session ID"); the
    // user id as the session's subject, for /logout/all.
    return {
      ...text(`User set to: ${id}`),
      session: { ...request.session, user: id },
      regenerateSession: true,
      ...(subjects && id !== '' ? { sessionSubject: id } : {}),
    };
  });
  on('GET', '/remove', (request) => {
    const { user: _, ...rest } = request.session ?? {};
    return { ...text('User removed'), session: rest };
  });
  on('GET', '/logout', () => ({ ...text('Session cleared'), session: null }));
  // Log out everywhere: every session of this user, on every server sharing the list.
  on('POST', '/logout/all', async (request) => {
    if (revocations === undefined) {
      return text('Logging out everywhere needs the cookie store (SESSION_STORE=cookie)', 501);
    }
    const subject = request.sessionSubject;
    if (subject === undefined) return text('Not signed in', 403);
    try {
      await revocations.revokeSubject(subject);
    } catch {
      return { ...text('Service Unavailable', 503), headers: { 'retry-after': '5' } };
    }
    return { ...text('Signed out everywhere'), session: null };
  });
  // With SESSION_STORE=ring a Kit session may hold keywords, sets or big integers: shown as JSON.
  on('GET', '/session', (request) => json(ednToJson(request.session ?? {})));
  on('GET', '/session/put', (request) => {
    const k = request.query.get('k');
    if (k === null || k === '') return text('k is required', 400);
    const v = request.query.get('v') ?? '';
    return { ...text(`Put ${k}`), session: { ...request.session, [k]: v } };
  });
  on('GET', '/flash/set', (request) => {
    const msg = request.query.get('msg') ?? '';
    // The flash travels in the session cookie, which holds 4 KB in all.
    if (msg.length > 1000) return text('msg is too long: at most 1000 characters', 400);
    return { ...redirect('/flash/show', 303), flash: msg };
  });
  on('GET', '/flash/show', (request) => json({ flash: ednToJson(request.flash ?? null) }));
  on('GET', '/cookies', (request) => json(request.cookies ?? {}));
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
  /**
   * With the cookie store, where revoked sessions are listed: `memory` (the default: this
   * process) or `redis` (every process on the same Redis; `options.revocations` from
   * `connectRevocations`).
   */
  REVOCATION_STORE?: string | undefined;
}

/** The cookie store's revocation list: the one given, or REVOCATION_STORE=memory's. */
function revocationList(env: ExampleEnv, given: Revocations | undefined): Revocations {
  const kind = env.REVOCATION_STORE ?? 'memory';
  if (kind !== 'memory' && kind !== 'redis') {
    throw new Error(
      `REVOCATION_STORE is invalid: got ${JSON.stringify(kind)}, expected memory or redis`,
    );
  }
  if (given !== undefined) return given;
  if (kind === 'redis') {
    throw new Error(
      'REVOCATION_STORE=redis: pass the list of connectRevocations(env) as options.revocations',
    );
  }
  // Kept as long as a session lives (sessionOptionsFromEnv checks the variable itself).
  const absolute = Number(env.SESSION_ABSOLUTE_TIMEOUT);
  return memoryRevocations({
    absoluteTimeoutSeconds:
      Number.isSafeInteger(absolute) && absolute > 0
        ? absolute
        : timeoutDefaults.absoluteTimeoutSeconds,
  });
}

function sessionOptions(
  env: ExampleEnv,
  options: SessionEnvOptions,
  revocations: Revocations | undefined,
): SessionOptions {
  switch (env.SESSION_STORE ?? 'cookie') {
    case 'cookie':
      return sessionOptionsFromEnv(env, { ...options, revocations });
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

/**
 * The whole application: cookies, the session (Kit's settings from the environment), flash,
 * and anti-forgery protection around the routes, as Kit's html module places it. With
 * SESSION_STORE=ring the session and the anti-forgery tokens are shared with a Kit application.
 */
export function createApp(env: ExampleEnv = process.env, options: SessionEnvOptions = {}): Handler {
  const cookie = (env.SESSION_STORE ?? 'cookie') === 'cookie';
  const revocations = cookie ? revocationList(env, options.revocations) : undefined;
  const session = sessionOptions(env, options, revocations);
  return compose(
    wrapCookies(),
    wrapSession(session),
    wrapFlash(),
    wrapCsrf({ tokens: env.SESSION_STORE === 'ring' ? 'ring' : 'masked' }), // as wrapDefaults() does
  )(
    routes({
      subjects: session.store.subjects === true,
      revocations,
    }),
  );
}
