// fastify 5 + @fastify/secure-session (libsodium secretbox). The 32-byte `key` is SHA-256 of
// the bench secret: the `secret` + `salt` form would run crypto_pwhash (~1 s, 256 MiB) at
// start-up, which changes nothing per request.
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { FastifyPluginAsync } from 'fastify';
import { answerParent, benchSecret, cookieName, requireUntyped } from './common.ts';

const fastifyCookie = requireUntyped('@fastify/cookie') as FastifyPluginAsync;
const fastifySecureSession = requireUntyped('@fastify/secure-session') as FastifyPluginAsync<
  Record<string, unknown>
>;

interface Session<T> {
  get<K extends keyof T>(key: K): T[K] | undefined;
  set<K extends keyof T>(key: K, value: T[K]): void;
}

const app = Fastify({ logger: false });
await app.register(fastifyCookie);
await app.register(fastifySecureSession, {
  key: createHash('sha256').update(benchSecret).digest(),
  cookieName,
  cookie: { path: '/', httpOnly: true },
});
app.get('/', (request, reply) => {
  const session = request.session as unknown as Session<{ n: number }>;
  const n = (session.get('n') ?? 0) + 1;
  session.set('n', n);
  void reply.type('text/plain').send(String(n));
});
answerParent();
await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address() as AddressInfo;
process.stdout.write(`${port}\n`);
