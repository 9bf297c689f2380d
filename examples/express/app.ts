// Kit's example in Express 5's idiom: the same routes, statuses and bodies as examples/app.
import express from 'express';
import type { ErrorRequestHandler, Express } from 'express';
import { csrfInput } from '../../src/index.ts';
import type { RequestCookie } from '../../src/index.ts';
import { sessionMiddleware } from '../../src/express.ts';
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

export function createExpressApp(env: ExampleEnv, options: ExampleOptions = {}): Express {
  const logger = options.logger ?? console;
  // One revocation list for the store and for /logout/all.
  const revocations = revocationList(env, options);
  const middleware = middlewareOptions(env, { ...options, revocations });
  const sessionCookie = sessionCookieName(middleware.session);
  /** The user as the session's subject, for /logout/all, where the store keeps one. */
  const subjects = middleware.session.store.subjects === true;
  const app = express();
  app.set('trust proxy', trustProxy(env));
  app.set('etag', false);
  app.use(express.urlencoded({ extended: false }));
  app.use(sessionMiddleware(middleware));
  const text = (res: express.Response, body: string, status = 200) =>
    res.status(status).type('text').send(body);

  app.get('/', (req, res) => {
    res
      .type('html')
      .send(homePage({ user: req.session.user, flash: req.flash, csrfInput: csrfInput(req) }));
  });
  app.post('/login', (req, res) => {
    const user = field((req.body as Record<string, unknown> | undefined)?.user)?.trim() ?? '';
    if (user === '') return text(res, say.userRequired, 400);
    if (tooLong(user)) return text(res, say.tooLong('user'), 400);
    req.session.user = user;
    req.session.regenerate(); // a new session key on login (session fixation)
    if (subjects) req.session.setSubject(subjectOf(user));
    res.flash(say.welcome(user));
    res.redirect(303, '/');
  });
  app.post('/logout', (req, res) => {
    req.session.destroy();
    res.redirect(303, '/');
  });
  app.get('/login/:id', (req, res) => {
    const id = req.params.id;
    if (tooLong(id)) return text(res, say.tooLong('id'), 400);
    req.session.user = id;
    req.session.regenerate();
    if (subjects) req.session.setSubject(subjectOf(id));
    text(res, say.login(id));
  });
  app.get('/remove', (req, res) => {
    delete req.session.user;
    text(res, say.removed);
  });
  app.get('/logout', (req, res) => {
    req.session.destroy();
    text(res, say.cleared);
  });
  // Log out everywhere: every session of this user, on every server sharing the list.
  app.post('/logout/all', async (req, res) => {
    const { status, body, ended } = await logoutEverywhere(revocations, req.session.getSubject());
    if (ended) req.session.destroy();
    if (status === 503) res.set('retry-after', '5');
    text(res, body, status);
  });
  app.get('/session', (req, res) => {
    res.json(shown(req.session));
  });
  app.get('/session/put', (req, res) => {
    const k = typeof req.query.k === 'string' ? req.query.k : '';
    const refused = putRefused(k);
    if (refused !== undefined) return text(res, refused, 400);
    req.session[k] = typeof req.query.v === 'string' ? req.query.v : '';
    text(res, say.put(k));
  });
  app.get('/count', async (req, res) => {
    const session = await req.session.update(counted);
    text(res, String(session.count));
  });
  app.get('/flash/set', (req, res) => {
    const msg = typeof req.query.msg === 'string' ? req.query.msg : undefined;
    if (msg === undefined) return res.redirect(303, '/flash/show'); // no msg, no flash (as Kit)
    if (tooLong(msg)) return text(res, say.tooLong('msg'), 400);
    res.flash(msg);
    res.redirect(303, '/flash/show');
  });
  app.get('/flash/show', (req, res) => {
    res.json({ flash: shown(req.flash ?? null) });
  });
  app.get('/cookies', (req, res) => {
    // Express types req.cookies as any; sessionMiddleware fills it in Ring's shape.
    res.json(pageCookies(req.cookies as Record<string, RequestCookie>, sessionCookie));
  });
  app.get('/cookies/set', (_req, res) => {
    const { name, value, maxAge, ...attrs } = themeCookie;
    res.cookie(name, value, { ...attrs, maxAge: maxAge * 1000 }); // Express counts milliseconds
    text(res, say.cookieSet);
  });
  app.get('/form', (_req, res) => {
    res.type('html').send(formPage(res.locals.csrfInput()));
  });
  app.post('/form', (_req, res) => {
    text(res, say.formOk);
  });

  app.use((_req, res) => {
    text(res, say.notFound, 404);
  });
  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    logger.error(`express example: ${req.method} ${req.path} failed`, error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    text(res, say.error, 500);
  };
  app.use(onError);
  return app;
}
