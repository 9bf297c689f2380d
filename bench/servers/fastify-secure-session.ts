// fastify 5 + @fastify/secure-session (libsodium secretbox). The 32-byte `key` is SHA-256 of
// the bench secret: the `secret` + `salt` form would run crypto_pwhash (~1 s, 256 MiB) at
// start-up, which changes nothing per request. The session carries its last-refresh time
// `__ts`, checked against `expiry` on every read. `/` and `/write` read, increment and write
// the counter; `/read` reads it and refreshes the session (`touch()`, which re-seals and
// re-sends the cookie) once it is touchAfterSeconds old.
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  answerParent,
  benchSecret,
  cookieName,
  nowSeconds,
  requireUntyped,
  routes,
  touchAfterSeconds,
} from './common.ts';

const fastifyCookie = requireUntyped('@fastify/cookie') as FastifyPluginAsync;
const fastifySecureSession = requireUntyped('@fastify/secure-session') as FastifyPluginAsync<
  Record<string, unknown>
>;

interface Session<T> {
  get<K extends keyof T>(key: K): T[K] | undefined;
  set<K extends keyof T>(key: K, value: T[K]): void;
  touch(): void;
}

type Data = { n: number; __ts: number };

function session(request: FastifyRequest): Session<Data> {
  return (request as unknown as { session: Session<Data> }).session;
}

const app = Fastify({ logger: false, keepAliveTimeout: 60_000 });
await app.register(fastifyCookie);
await app.register(fastifySecureSession, {
  key: createHash('sha256').update(benchSecret).digest(),
  cookieName,
  cookie: { path: '/', httpOnly: true },
});
const write = (request: FastifyRequest, reply: FastifyReply): void => {
  const n = (session(request).get('n') ?? 0) + 1;
  session(request).set('n', n);
  void reply.type('text/plain').send(String(n));
};
app.get('/', write);
app.get(routes.write, write);
app.get(routes.read, (request, reply) => {
  const data = session(request);
  if (nowSeconds() - (data.get('__ts') ?? 0) >= touchAfterSeconds) data.touch();
  void reply.type('text/plain').send(String(data.get('n') ?? 0));
});
answerParent();
await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address() as AddressInfo;
process.stdout.write(`${port}\n`);
