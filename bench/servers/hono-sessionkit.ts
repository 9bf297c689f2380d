// Hono 4 + sessionkit/hono on @hono/node-server and the cookie store (CSRF on, as by
// default): the read-increment-write route, the session changed in place.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { cookieStore } from '../../src/index.ts';
import { sessionMiddleware } from '../../src/hono.ts';
import type { SessionVariables } from '../../src/hono.ts';
import { answerParent, benchSecret, cookieName } from './common.ts';

const app = new Hono<{ Variables: SessionVariables }>();
app.use(
  sessionMiddleware({ session: { store: cookieStore({ secrets: [benchSecret], cookieName }) } }),
);
app.get('/', (c) => {
  const session = c.get('session');
  const n = Number(session.n ?? 0) + 1;
  session.n = n;
  return c.text(String(n));
});
answerParent();
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${info.port}\n`);
});
