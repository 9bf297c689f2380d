// express 5 + express-session + connect-redis 9 over node-redis v5, against REDIS_URL: a
// signed session id in the cookie, the data in Redis (GET, then SET … EX on a change).
import express from 'express';
import type { RequestHandler } from 'express';
import { createServer } from 'node:http';
import { createClient } from 'redis';
import { benchSecret, cookieName, listen, requireUntyped } from './common.ts';

// connect-redis's types import express-session's, which declare req.session.
const { RedisStore } = requireUntyped('connect-redis') as {
  RedisStore: new (options: { client: unknown }) => object;
};

const session = requireUntyped('express-session') as (options: object) => RequestHandler;

const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
await client.connect();
const app = express();
app.use(
  session({
    name: cookieName,
    secret: benchSecret,
    resave: false,
    saveUninitialized: false,
    store: new RedisStore({ client }),
  }),
);
app.get('/', (req, res) => {
  const data = req.session as unknown as { n?: number };
  data.n = (data.n ?? 0) + 1;
  res.type('text/plain').send(String(data.n));
});
listen(createServer(app));
