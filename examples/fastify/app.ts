// Kit's example in Fastify 5's idiom: the same routes, statuses and bodies as examples/app.
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { csrfInput, serializeCookie } from '../../src/index.ts';
import { sessionPlugin } from '../../src/fastify.ts';
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

type Query = Record<string, string | undefined>;

const text = (reply: FastifyReply, body: string, status = 200) =>
  reply.code(status).type('text/plain; charset=utf-8').send(body);
const html = (reply: FastifyReply, body: string) =>
  reply.type('text/html; charset=utf-8').send(body);

export async function createFastifyApp(
  env: ExampleEnv,
  options: ExampleOptions = {},
): Promise<FastifyInstance> {
  const logger = options.logger ?? console;
  // One revocation list for the store and for /logout/all.
  const revocations = revocationList(env, options);
  const middleware = middlewareOptions(env, { ...options, revocations });
  const sessionCookie = sessionCookieName(middleware.session);
  /** The user as the session's subject, for /logout/all, where the store keeps one. */
  const subjects = middleware.session.store.subjects === true;
  const app = Fastify({ trustProxy: trustProxy(env), routerOptions: { maxParamLength: 16384 } });
  // Forms as @fastify/formbody parses them: fields from the urlencoded body.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  await app.register(sessionPlugin, middleware);

  app.get('/', (request, reply) =>
    html(
      reply,
      homePage({ user: request.session.user, flash: request.flash, csrfInput: csrfInput(request) }),
    ),
  );
  app.post('/login', (request, reply) => {
    const user = field((request.body as Record<string, unknown> | null)?.user)?.trim() ?? '';
    if (user === '') return text(reply, say.userRequired, 400);
    if (tooLong(user)) return text(reply, say.tooLong('user'), 400);
    request.session.user = user;
    request.session.regenerate(); // a new session key on login (session fixation)
    if (subjects) request.session.setSubject(subjectOf(user));
    reply.flash(say.welcome(user));
    return reply.redirect('/', 303);
  });
  app.post('/logout', (request, reply) => {
    request.session.destroy();
    return reply.redirect('/', 303);
  });
  app.get<{ Params: { id: string } }>('/login/:id', (request, reply) => {
    const { id } = request.params;
    if (tooLong(id)) return text(reply, say.tooLong('id'), 400);
    request.session.user = id;
    request.session.regenerate();
    if (subjects) request.session.setSubject(subjectOf(id));
    return text(reply, say.login(id));
  });
  app.get('/remove', (request, reply) => {
    delete request.session.user;
    return text(reply, say.removed);
  });
  app.get('/logout', (request, reply) => {
    request.session.destroy();
    return text(reply, say.cleared);
  });
  // Log out everywhere: every session of this user, on every server sharing the list.
  app.post('/logout/all', async (request, reply) => {
    const session = request.session;
    const { status, body, ended } = await logoutEverywhere(revocations, session.getSubject());
    if (ended) session.destroy();
    if (status === 503) reply.header('retry-after', '5');
    return text(reply, body, status);
  });
  app.get('/session', (request, reply) => reply.send(shown(request.session)));
  app.get<{ Querystring: Query }>('/session/put', (request, reply) => {
    const k = request.query.k ?? '';
    const refused = putRefused(k);
    if (refused !== undefined) return text(reply, refused, 400);
    request.session[k] = request.query.v ?? '';
    return text(reply, say.put(k));
  });
  app.get('/count', async (request, reply) => {
    const session = await request.session.update(counted);
    return text(reply, String(session.count));
  });
  app.get<{ Querystring: Query }>('/flash/set', (request, reply) => {
    const { msg } = request.query;
    if (msg === undefined) return reply.redirect('/flash/show', 303); // no msg, no flash (as Kit)
    if (tooLong(msg)) return text(reply, say.tooLong('msg'), 400);
    reply.flash(msg);
    return reply.redirect('/flash/show', 303);
  });
  app.get('/flash/show', (request, reply) => reply.send({ flash: shown(request.flash ?? null) }));
  app.get('/cookies', (request, reply) => reply.send(pageCookies(request.cookies, sessionCookie)));
  app.get('/cookies/set', (_request, reply) => {
    const { name, value, ...attrs } = themeCookie;
    return text(reply.header('set-cookie', serializeCookie(name, value, attrs)), say.cookieSet);
  });
  app.get('/form', (request, reply) => html(reply, formPage(csrfInput(request))));
  app.post('/form', (_request, reply) => text(reply, say.formOk));

  app.setNotFoundHandler((_request, reply) => text(reply, say.notFound, 404));
  app.setErrorHandler((error, request, reply) => {
    logger.error(`fastify example: ${request.method} ${request.url} failed`, error);
    return text(reply, say.error, 500);
  });
  return app;
}
