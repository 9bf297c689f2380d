// Kit's example in Hono 4's idiom: the same routes, statuses and bodies as examples/app.
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { csrfInput } from '../../src/index.ts';
import { sessionMiddleware } from '../../src/hono.ts';
import type { SessionVariables } from '../../src/hono.ts';
import { middlewareOptions, revocationList, sessionCookieName, trustProxy } from '../shared/env.ts';
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

export function createHonoApp(
  env: ExampleEnv,
  options: ExampleOptions = {},
): Hono<{ Variables: SessionVariables }> {
  const logger = options.logger ?? console;
  // One revocation list for the store and for /logout/all.
  const revocations = revocationList(env, options);
  const middleware = middlewareOptions(env, { ...options, revocations });
  const sessionCookie = sessionCookieName(middleware.session);
  /** The user as the session's subject, for /logout/all, where the store keeps one. */
  const subjects = middleware.session.store.subjects === true;
  const app = new Hono<{ Variables: SessionVariables }>();
  app.use(sessionMiddleware({ ...middleware, trustProxy: trustProxy(env) }));

  app.get('/', (c) =>
    c.html(
      homePage({ user: c.get('session').user, flash: c.get('flash'), csrfInput: csrfInput(c.var) }),
    ),
  );
  app.post('/login', async (c) => {
    const body = await c.req.parseBody();
    const user = field(body.user)?.trim() ?? '';
    if (user === '') return c.text(say.userRequired, 400);
    if (tooLong(user)) return c.text(say.tooLong('user'), 400);
    c.get('session').user = user;
    c.get('session').regenerate(); // a new session key on login (session fixation)
    if (subjects) c.get('session').setSubject(subjectOf(user));
    c.set('nextFlash', say.welcome(user));
    return c.redirect('/', 303);
  });
  app.post('/logout', (c) => {
    c.get('session').destroy();
    return c.redirect('/', 303);
  });
  app.get('/login/:id', (c) => {
    const id = c.req.param('id');
    if (tooLong(id)) return c.text(say.tooLong('id'), 400);
    c.get('session').user = id;
    c.get('session').regenerate();
    if (subjects) c.get('session').setSubject(subjectOf(id));
    return c.text(say.login(id));
  });
  app.get('/remove', (c) => {
    delete c.get('session').user;
    return c.text(say.removed);
  });
  app.get('/logout', (c) => {
    c.get('session').destroy();
    return c.text(say.cleared);
  });
  // Log out everywhere: every session of this user, on every server sharing the list.
  app.post('/logout/all', async (c) => {
    const session = c.get('session');
    const { status, body, ended } = await logoutEverywhere(revocations, session.getSubject());
    if (ended) session.destroy();
    if (status === 503) c.header('retry-after', '5');
    return c.text(body, status as ContentfulStatusCode);
  });
  app.get('/session', (c) => c.json(shown(c.get('session'))));
  app.get('/session/put', (c) => {
    const k = c.req.query('k') ?? '';
    const refused = putRefused(k);
    if (refused !== undefined) return c.text(refused, 400);
    c.get('session')[k] = c.req.query('v') ?? '';
    return c.text(say.put(k));
  });
  app.get('/count', async (c) => {
    const session = await c.get('session').update(counted);
    return c.text(String(session.count));
  });
  app.get('/flash/set', (c) => {
    const msg = c.req.query('msg');
    if (msg === undefined) return c.redirect('/flash/show', 303); // no msg, no flash (as Kit)
    if (tooLong(msg)) return c.text(say.tooLong('msg'), 400);
    c.set('nextFlash', msg);
    return c.redirect('/flash/show', 303);
  });
  app.get('/flash/show', (c) => c.json({ flash: shown(c.get('flash') ?? null) }));
  app.get('/cookies', (c) => c.json(pageCookies(c.get('cookies'), sessionCookie)));
  app.get('/cookies/set', (c) => {
    const { name, value, ...attrs } = themeCookie;
    setCookie(c, name, value, attrs);
    return c.text(say.cookieSet);
  });
  app.get('/form', (c) => c.html(formPage(csrfInput(c.var))));
  app.post('/form', (c) => c.text(say.formOk));

  app.notFound((c) => c.text(say.notFound, 404));
  app.onError((error, c) => {
    logger.error(`hono example: ${c.req.method} ${c.req.path} failed`, error);
    return c.text(say.error, 500);
  });
  return app;
}
