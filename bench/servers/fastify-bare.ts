// Bare Fastify 5: the same route shape with no session, the ceiling for Fastify contenders.
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { answerParent } from './common.ts';

const app = Fastify({ logger: false });
app.get('/', (_request, reply) => {
  void reply.type('text/plain').send('1');
});
answerParent();
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${(app.server.address() as AddressInfo).port}\n`);
