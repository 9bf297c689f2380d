// Bare Hono 4 on @hono/node-server: the same route shape with no session, the ceiling for
// Hono contenders.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { answerParent } from './common.ts';

const app = new Hono();
app.get('/', (c) => c.text('1'));
answerParent();
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${info.port}\n`);
});
