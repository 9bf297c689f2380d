// Kit's example in Hono 4's idiom: the same routes, statuses and bodies as examples/app.
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { sessionMiddleware } from '../../src/hono.ts';
import type { SessionVariables } from '../../src/hono.ts';
import { csrfInput } from '../../src/index.ts';
import { sessionOptions, trustProxy } from '../shared/env.ts';
import type { ExampleEnv, ExampleOptions } from '../shared/env.ts';
import { flashProblem, formPage, homePage, putProblem, say, themeCookie } from '../shared/kit.ts';

export function createHonoApp(
  env: ExampleEnv,
  options: ExampleOptions = {},
): Hono<{ Variables: SessionVariables }> {
  const logger = options.logger ?? console;
  const app = new Hono<{ Variables: SessionVariables }>();
  app.use(
    sessionMiddleware({ session: sessionOptions(env, options), trustProxy: trustProxy(env) }),
  );

  app.get('/', (c) => c.html(homePage));
  app.get('/login/:id', (c) => {
    const session = c.get('session');
    session.user = c.req.param('id');
    session.regenerate(); // a new session key on login (session fixation)
    return c.text(say.login(c.req.param('id')));
  });
  app.get('/remove', (c) => {
    delete c.get('session').user;
    return c.text(say.removed);
  });
  app.get('/logout', (c) => {
    c.get('session').destroy();
    return c.text(say.cleared);
  });
  app.get('/session', (c) => c.json(c.get('session')));
  app.get('/session/put', (c) => {
    const k = c.req.query('k');
    const problem = putProblem(k);
    if (problem !== undefined || k === undefined) return c.text(problem ?? '', 400);
    c.get('session')[k] = c.req.query('v') ?? '';
    return c.text(say.put(k));
  });
  app.get('/flash/set', (c) => {
    const msg = c.req.query('msg') ?? '';
    const problem = flashProblem(msg);
    if (problem !== undefined) return c.text(problem, 400);
    c.set('nextFlash', msg);
    return c.redirect('/flash/show', 303);
  });
  app.get('/flash/show', (c) => c.json({ flash: c.get('flash') ?? null }));
  app.get('/cookies', (c) => c.json(c.get('cookies')));
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
