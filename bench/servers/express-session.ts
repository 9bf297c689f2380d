// express 5 + express-session with its MemoryStore: a signed session id in the cookie, the
// data on the server.
import express from 'express';
import type { RequestHandler } from 'express';
import { createServer } from 'node:http';
import { benchSecret, cookieName, listen, requireUntyped } from './common.ts';

const session = requireUntyped('express-session') as ((options: object) => RequestHandler) & {
  MemoryStore: new () => object;
};

const app = express();
app.use(
  session({
    name: cookieName,
    secret: benchSecret,
    resave: false,
    saveUninitialized: false,
    store: new session.MemoryStore(),
  }),
);
app.get('/', (req, res) => {
  const data = req.session as unknown as { n?: number };
  data.n = (data.n ?? 0) + 1;
  res.type('text/plain').send(String(data.n));
});
listen(createServer(app));
