// fastify 5 + @fastify/session + connect-redis 9 over node-redis v5, against REDIS_URL: a
// signed session id in the cookie, the data in Redis (GET, then SET … EX on a change).
import Fastify from 'fastify';
import type { FastifyPluginAsync } from 'fastify';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { answerParent, benchSecret, cookieName, requireUntyped } from './common.ts';

// connect-redis's types import express-session's, which declare req.session.
const { RedisStore } = requireUntyped('connect-redis') as {
  RedisStore: new (options: { client: unknown }) => object;
};

const fastifyCookie = requireUntyped('@fastify/cookie') as FastifyPluginAsync;
const fastifySession = requireUntyped('@fastify/session') as FastifyPluginAsync<
  Record<string, unknown>
>;

const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
await client.connect();
const app = Fastify({ logger: false });
await app.register(fastifyCookie);
await app.register(fastifySession, {
  secret: benchSecret,
  cookieName,
  cookie: { path: '/', httpOnly: true, secure: false },
  saveUninitialized: false,
  store: new RedisStore({ client }),
});
app.get('/', (request, reply) => {
  // @fastify/session keeps the data as properties of request.session (its get/set read them).
  const data = request.session as unknown as { n?: number };
  data.n = (data.n ?? 0) + 1;
  void reply.type('text/plain').send(String(data.n));
});
answerParent();
await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address() as AddressInfo;
process.stdout.write(`${port}\n`);
