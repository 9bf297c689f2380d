// The Kit documentation's session example, on sessionkit's own handler model. `main.ts`
// serves it on node:http; examples/fetch serves the same handler as a Fetch app. What it
// says is in ../shared/kit.ts, shared with the other hosts' examples.
import FindMyWay from 'find-my-way';
import {
  compose,
  csrfInput,
  html,
  json,
  notFound,
  redirect,
  text,
  updateSession,
  wrapCookies,
  wrapCsrf,
  wrapFlash,
  wrapSession,
} from '../../src/index.ts';
import type { Handler, RequestMap, Revocations } from '../../src/index.ts';
import { middlewareOptions, revocationList, sessionCookieName } from '../shared/env.ts';
import type { ExampleEnv, ExampleOptions } from '../shared/env.ts';
import {
  counted,
  field,
  formPage,
  homePage,
  logoutEverywhere,
  pageCookies,
  putRefused,
  say,
  shown,
  subjectOf,
  themeCookie,
  tooLong,
} from '../shared/kit.ts';

export type { ExampleEnv, ExampleOptions } from '../shared/env.ts';

type Route = (request: RequestMap) => ReturnType<Handler>;

/** What the routes need besides the request: the revocation list, when the store uses one. */
interface RouteContext {
  sessionCookie: string;
  /** The store keeps a subject with each session: logins attach the user. */
  subjects: boolean;
  revocations: Revocations | undefined;
}

/** The example's routes, each a Ring-style handler. */
function routes({ sessionCookie, subjects, revocations }: RouteContext): Handler {
  /** The user as the session's subject, for /logout/all, where the store keeps one. */
  const subject = (user: string) => (subjects ? { sessionSubject: subjectOf(user) } : {});
  const router = FindMyWay<FindMyWay.HTTPVersion.V1>({ maxParamLength: 8192 });
  const routeTable = new Map<FindMyWay.Handler<FindMyWay.HTTPVersion.V1>, Route>();
  const on = (method: 'GET' | 'POST', path: string, route: Route): void => {
    const marker: FindMyWay.Handler<FindMyWay.HTTPVersion.V1> = () => undefined;
    routeTable.set(marker, route);
    router.on(method, path, marker);
  };

  on('GET', '/', (request) =>
    html(
      homePage({
        user: request.session?.user,
        flash: request.flash,
        csrfInput: csrfInput(request),
      }),
    ),
  );
  on('POST', '/login', (request) => {
    const user = field(request.form?.user)?.trim() ?? '';
    if (user === '') return text(say.userRequired, 400);
    if (tooLong(user)) return text(say.tooLong('user'), 400);
    // A new session key on login (session fixation; OWASP SM "Renew the Session ID").
    return {
      ...redirect('/', 303),
      session: { ...request.session, user },
      regenerateSession: true,
      ...subject(user),
      flash: say.welcome(user),
    };
  });
  on('POST', '/logout', () => ({ ...redirect('/', 303), session: null }));
  on('GET', '/login/:id', (request) => {
    const id = request.params?.id ?? '';
    if (tooLong(id)) return text(say.tooLong('id'), 400);
    return {
      ...text(say.login(id)),
      session: { ...request.session, user: id },
      regenerateSession: true,
      ...subject(id),
    };
  });
  on('GET', '/remove', (request) => {
    const { user: _, ...rest } = request.session ?? {};
    return { ...text(say.removed), session: rest };
  });
  on('GET', '/logout', () => ({ ...text(say.cleared), session: null }));
  // Log out everywhere: every session of this user, on every server sharing the list.
  on('POST', '/logout/all', async (request) => {
    const { status, body, ended } = await logoutEverywhere(revocations, request.sessionSubject);
    const answer = text(body, status);
    if (status === 503) return { ...answer, headers: { ...answer.headers, 'retry-after': '5' } };
    return ended ? { ...answer, session: null } : answer;
  });
  on('GET', '/session', (request) => json(shown(request.session ?? {})));
  on('GET', '/session/put', (request) => {
    const k = request.query.get('k');
    const refused = putRefused(k ?? '');
    if (refused !== undefined || k === null) return text(refused ?? say.kRequired, 400);
    const v = request.query.get('v') ?? '';
    return { ...text(say.put(k)), session: { ...request.session, [k]: v } };
  });
  on('GET', '/count', async (request) => {
    const session = await updateSession(request, counted);
    return { ...text(String(session.count)), session };
  });
  on('GET', '/flash/set', (request) => {
    const msg = request.query.get('msg');
    if (msg === null) return redirect('/flash/show', 303); // no msg, no flash (as Kit)
    if (tooLong(msg)) return text(say.tooLong('msg'), 400);
    return { ...redirect('/flash/show', 303), flash: msg };
  });
  on('GET', '/flash/show', (request) => json({ flash: shown(request.flash ?? null) }));
  on('GET', '/cookies', (request) => json(pageCookies(request.cookies, sessionCookie)));
  on('GET', '/cookies/set', () => {
    const { name, ...cookie } = themeCookie;
    return { ...text(say.cookieSet), cookies: { [name]: cookie } };
  });
  on('GET', '/form', (request) => html(formPage(csrfInput(request))));
  on('POST', '/form', () => text(say.formOk));

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
 * and anti-forgery protection around the routes, as Kit's html module places it. With
 * SESSION_STORE=ring the session and the anti-forgery tokens are shared with a Kit application.
 */
export function createApp(env: ExampleEnv = process.env, options: ExampleOptions = {}): Handler {
  // One revocation list for the store and for /logout/all.
  const revocations = revocationList(env, options);
  const { session, cookies, csrf } = middlewareOptions(env, { ...options, revocations });
  return compose(
    wrapCookies(cookies),
    wrapSession(session),
    wrapFlash(),
    wrapCsrf(csrf), // as wrapDefaults() does
  )(
    routes({
      sessionCookie: sessionCookieName(session),
      subjects: session.store.subjects === true,
      revocations,
    }),
  );
}
