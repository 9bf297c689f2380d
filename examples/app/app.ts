// The Kit documentation's session example, on sessionkit's own handler model. `main.ts`
// serves it on node:http; examples/fetch serves the same handler as a Fetch app.
import FindMyWay from 'find-my-way';
import {
  compose,
  csrfInput,
  html,
  json,
  notFound,
  redirect,
  text,
  wrapCookies,
  wrapCsrf,
  wrapFlash,
  wrapSession,
} from '../../src/index.ts';
import type { Handler, RequestMap } from '../../src/index.ts';
import { sessionOptions } from '../shared/env.ts';
import type { ExampleEnv, ExampleOptions } from '../shared/env.ts';
import { flashProblem, formPage, homePage, putProblem, say, themeCookie } from '../shared/kit.ts';

export type { ExampleEnv } from '../shared/env.ts';

type Route = (request: RequestMap) => ReturnType<Handler>;

/** The example's routes, each a Ring-style handler. */
function routes(): Handler {
  const router = FindMyWay<FindMyWay.HTTPVersion.V1>({ maxParamLength: 1000 });
  const routeTable = new Map<FindMyWay.Handler<FindMyWay.HTTPVersion.V1>, Route>();
  const on = (method: 'GET' | 'POST', path: string, route: Route): void => {
    const marker: FindMyWay.Handler<FindMyWay.HTTPVersion.V1> = () => undefined;
    routeTable.set(marker, route);
    router.on(method, path, marker);
  };

  on('GET', '/', () => html(homePage));
  on('GET', '/login/:id', (request) => {
    const id = request.params?.id ?? '';
    // A new session key on login (session fixation; OWASP SM "Renew the Session ID").
    return {
      ...text(say.login(id)),
      session: { ...request.session, user: id },
      regenerateSession: true,
    };
  });
  on('GET', '/remove', (request) => {
    const { user: _, ...rest } = request.session ?? {};
    return { ...text(say.removed), session: rest };
  });
  on('GET', '/logout', () => ({ ...text(say.cleared), session: null }));
  on('GET', '/session', (request) => json(request.session ?? {}));
  on('GET', '/session/put', (request) => {
    const k = request.query.get('k');
    const problem = putProblem(k);
    if (problem !== undefined || k === null) return text(problem ?? '', 400);
    const v = request.query.get('v') ?? '';
    return { ...text(say.put(k)), session: { ...request.session, [k]: v } };
  });
  on('GET', '/flash/set', (request) => {
    const msg = request.query.get('msg') ?? '';
    const problem = flashProblem(msg);
    if (problem !== undefined) return text(problem, 400);
    return { ...redirect('/flash/show', 303), flash: msg };
  });
  on('GET', '/flash/show', (request) => json({ flash: request.flash ?? null }));
  on('GET', '/cookies', (request) => json(request.cookies ?? {}));
  on('GET', '/form', (request) => html(formPage(csrfInput(request))));
  on('POST', '/form', () => text(say.formOk));
  on('GET', '/cookies/set', () => {
    const { name, ...cookie } = themeCookie;
    return { ...text(say.cookieSet), cookies: { [name]: cookie } };
  });

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

/**
 * The whole application: cookies, the session (Kit's settings from the environment), flash,
 * and anti-forgery protection around the routes, as Kit's html module places it.
 */
export function createApp(env: ExampleEnv = process.env, options: ExampleOptions = {}): Handler {
  return compose(
    wrapCookies(),
    wrapSession(sessionOptions(env, options)),
    wrapFlash(),
    wrapCsrf(),
  )(routes());
}
