// Fastify 5 + sessionkit/fastify on the cookie store (CSRF on, as by default): the
// read-increment-write route, the session changed in place.
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { sessionPlugin } from '../../src/fastify.ts';
import { cookieStore } from '../../src/index.ts';
import { answerParent, benchSecret, cookieName } from './common.ts';

const app = Fastify({ logger: false });
await app.register(sessionPlugin, {
  session: { store: cookieStore({ secrets: [benchSecret], cookieName }) },
});
app.get('/', (request, reply) => {
  const n = Number(request.session.n ?? 0) + 1;
  request.session.n = n;
  void reply.type('text/plain').send(String(n));
});
answerParent();
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${(app.server.address() as AddressInfo).port}\n`);
