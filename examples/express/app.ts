// Kit's example in Express 5's idiom: the same routes, statuses and bodies as examples/app.
import express from 'express';
import type { ErrorRequestHandler, Express } from 'express';
import { sessionMiddleware } from '../../src/express.ts';
import { sessionOptions, trustProxy } from '../shared/env.ts';
import type { ExampleEnv, ExampleOptions } from '../shared/env.ts';
import { flashProblem, formPage, homePage, putProblem, say, themeCookie } from '../shared/kit.ts';

export function createExpressApp(env: ExampleEnv, options: ExampleOptions = {}): Express {
  const logger = options.logger ?? console;
  const app = express();
  app.set('trust proxy', trustProxy(env));
  app.set('etag', false);
  app.use(express.urlencoded({ extended: false }));
  app.use(sessionMiddleware({ session: sessionOptions(env, options) }));

  app.get('/', (_req, res) => {
    res.type('html').send(homePage);
  });
  app.get('/login/:id', (req, res) => {
    req.session.user = req.params.id;
    req.session.regenerate(); // a new session key on login (session fixation)
    res.type('text').send(say.login(req.params.id));
  });
  app.get('/remove', (req, res) => {
    delete req.session.user;
    res.type('text').send(say.removed);
  });
  app.get('/logout', (req, res) => {
    req.session.destroy();
    res.type('text').send(say.cleared);
  });
  app.get('/session', (req, res) => {
    res.json(req.session);
  });
  app.get('/session/put', (req, res) => {
    const k = typeof req.query.k === 'string' ? req.query.k : undefined;
    const problem = putProblem(k);
    if (problem !== undefined || k === undefined) {
      res.status(400).type('text').send(problem);
      return;
    }
    req.session[k] = typeof req.query.v === 'string' ? req.query.v : '';
    res.type('text').send(say.put(k));
  });
  app.get('/flash/set', (req, res) => {
    const msg = typeof req.query.msg === 'string' ? req.query.msg : '';
    const problem = flashProblem(msg);
    if (problem !== undefined) {
      res.status(400).type('text').send(problem);
      return;
    }
    res.flash(msg);
    res.redirect(303, '/flash/show');
  });
  app.get('/flash/show', (req, res) => {
    res.json({ flash: req.flash ?? null });
  });
  app.get('/cookies', (req, res) => {
    res.json(req.cookies);
  });
  app.get('/cookies/set', (_req, res) => {
    const { name, value, maxAge, ...attrs } = themeCookie;
    res.cookie(name, value, { ...attrs, maxAge: maxAge * 1000 }); // Express counts milliseconds
    res.type('text').send(say.cookieSet);
  });
  app.get('/form', (req, res) => {
    res.type('html').send(formPage(res.locals.csrfInput()));
  });
  app.post('/form', (_req, res) => {
    res.type('text').send(say.formOk);
  });

  app.use((_req, res) => {
    res.status(404).type('text').send(say.notFound);
  });
  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    logger.error(`express example: ${req.method} ${req.path} failed`, error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(500).type('text').send(say.error);
  };
  app.use(onError);
  return app;
}
