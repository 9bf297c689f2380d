// Kit's example in Fastify 5's idiom: the same routes, statuses and bodies as examples/app.
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { serializeCookie } from '../../src/index.ts';
import { csrfInput } from '../../src/index.ts';
import { sessionPlugin } from '../../src/fastify.ts';
import { sessionOptions, trustProxy } from '../shared/env.ts';
import type { ExampleEnv, ExampleOptions } from '../shared/env.ts';
import { flashProblem, formPage, homePage, putProblem, say, themeCookie } from '../shared/kit.ts';

type Query = Record<string, string | undefined>;

export async function createFastifyApp(
  env: ExampleEnv,
  options: ExampleOptions = {},
): Promise<FastifyInstance> {
  const logger = options.logger ?? console;
  const app = Fastify({ trustProxy: trustProxy(env), routerOptions: { maxParamLength: 1000 } });
  // Forms as @fastify/formbody parses them: fields from the urlencoded body.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  await app.register(sessionPlugin, { session: sessionOptions(env, options) });

  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(homePage));
  app.get<{ Params: { id: string } }>('/login/:id', (request, reply) => {
    request.session.user = request.params.id;
    request.session.regenerate(); // a new session key on login (session fixation)
    return reply.type('text/plain; charset=utf-8').send(say.login(request.params.id));
  });
  app.get('/remove', (request, reply) => {
    delete request.session.user;
    return reply.type('text/plain; charset=utf-8').send(say.removed);
  });
  app.get('/logout', (request, reply) => {
    request.session.destroy();
    return reply.type('text/plain; charset=utf-8').send(say.cleared);
  });
  app.get('/session', (request, reply) => reply.send(request.session));
  app.get<{ Querystring: Query }>('/session/put', (request, reply) => {
    const { k, v } = request.query;
    const problem = putProblem(k);
    if (problem !== undefined || k === undefined) {
      return reply.code(400).type('text/plain; charset=utf-8').send(problem);
    }
    request.session[k] = v ?? '';
    return reply.type('text/plain; charset=utf-8').send(say.put(k));
  });
  app.get<{ Querystring: Query }>('/flash/set', (request, reply) => {
    const msg = request.query.msg ?? '';
    const problem = flashProblem(msg);
    if (problem !== undefined)
      return reply.code(400).type('text/plain; charset=utf-8').send(problem);
    reply.flash(msg);
    return reply.redirect('/flash/show', 303);
  });
  app.get('/flash/show', (request, reply) => reply.send({ flash: request.flash ?? null }));
  app.get('/cookies', (request, reply) => reply.send(request.cookies));
  app.get('/cookies/set', (_request, reply) => {
    const { name, value, ...attrs } = themeCookie;
    return reply
      .header('set-cookie', serializeCookie(name, value, attrs))
      .type('text/plain; charset=utf-8')
      .send(say.cookieSet);
  });
  app.get('/form', (request, reply) =>
    reply.type('text/html; charset=utf-8').send(formPage(csrfInput(request))),
  );
  app.post('/form', (_request, reply) => reply.type('text/plain; charset=utf-8').send(say.formOk));

  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).type('text/plain; charset=utf-8').send(say.notFound),
  );
  app.setErrorHandler((error, request, reply) => {
    logger.error(`fastify example: ${request.method} ${request.url} failed`, error);
    return reply.code(500).type('text/plain; charset=utf-8').send(say.error);
  });
  return app;
}
