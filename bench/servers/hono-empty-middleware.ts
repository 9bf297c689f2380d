// Hono 4 on @hono/node-server with one empty async middleware and no session: what any
// middleware costs by itself. Without middleware, Hono answers the request synchronously and
// @hono/node-server writes the response in the same turn; with one, the answer is a promise,
// as for hono 4 + sessionkit.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { answerParent } from './common.ts';

const app = new Hono();
app.use(async (_c, next) => {
  await next();
});
app.get('/', (c) => c.text('1'));
answerParent();
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${info.port}\n`);
});
