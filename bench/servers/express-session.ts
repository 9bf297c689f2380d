// express 5 + express-session with its MemoryStore: a signed session id in the cookie, the
// data on the server. Its sliding refresh is its own: with a cookie maxAge, every request
// that leaves the session unmodified touches the store entry (no throttle to configure).
// `/` and `/write` read, increment and write the counter; `/read` reads it.
import express from 'express';
import type { Request, RequestHandler, Response } from 'express';
import { createServer } from 'node:http';
import { benchSecret, cookieName, listen, requireUntyped, routes } from './common.ts';

const session = requireUntyped('express-session') as ((options: object) => RequestHandler) & {
  MemoryStore: new () => object;
};

type Data = { n?: number };

const app = express();
app.use(
  session({
    name: cookieName,
    secret: benchSecret,
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: 86_400_000, httpOnly: true },
    store: new session.MemoryStore(),
  }),
);
const write = (req: Request, res: Response): void => {
  const data = req.session as unknown as Data;
  data.n = (data.n ?? 0) + 1;
  res.type('text/plain').send(String(data.n));
};
app.get('/', write);
app.get(routes.write, write);
app.get(routes.read, (req, res) => {
  const data = req.session as unknown as Data;
  res.type('text/plain').send(String(data.n ?? 0));
});
listen(createServer(app));
