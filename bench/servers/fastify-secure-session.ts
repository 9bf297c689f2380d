// fastify 5 + @fastify/secure-session (libsodium secretbox). The 32-byte `key` is SHA-256 of
// the bench secret: the `secret` + `salt` form would run crypto_pwhash (~1 s, 256 MiB) at
// start-up, which changes nothing per request. The session carries its last-refresh time
// `__ts`, checked against `expiry` on every read; `/read` refreshes it (`touch()`, which
// re-seals and re-sends the cookie) once it is touchAfterSeconds old.
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import fastifySecureSession from '@fastify/secure-session';
import type { Session } from '@fastify/secure-session';
import Fastify from 'fastify';
import {
  answerParent,
  benchSecret,
  cookieName,
  nowSeconds,
  routes,
  touchAfterSeconds,
} from './common.ts';

type Data = { n: number; __ts: number };

const app = Fastify({ logger: false, keepAliveTimeout: 60_000 });
await app.register(fastifyCookie);
await app.register(fastifySecureSession, {
  key: createHash('sha256').update(benchSecret).digest(),
  cookieName,
  cookie: { path: '/', httpOnly: true },
});
app.get(routes.write, (request, reply) => {
  const session = request.session as Session<Data>;
  const n = (session.get('n') ?? 0) + 1;
  session.set('n', n);
  void reply.type('text/plain').send(String(n));
});
app.get(routes.read, (request, reply) => {
  const session = request.session as Session<Data>;
  if (nowSeconds() - (session.get('__ts') ?? 0) >= touchAfterSeconds) session.touch();
  void reply.type('text/plain').send(String(session.get('n') ?? 0));
});
answerParent();
await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address() as AddressInfo;
process.stdout.write(`${port}\n`);
