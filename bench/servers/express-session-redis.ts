// express 5 + express-session + connect-redis 9 over node-redis v5, against REDIS_URL: a
// signed session id in the cookie, the data in Redis (GET, then SET … EX on a change).
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { createServer } from 'node:http';
import { createClient } from 'redis';
import { benchSecret, cookieName, listen } from './common.ts';

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
