// express 5 + express-session with its MemoryStore: a signed session id in the cookie, the
// data on the server. Its sliding refresh is its own: with a cookie maxAge, every request
// that leaves the session unmodified touches the store entry (no throttle to configure).
import express from 'express';
import session from 'express-session';
import { createServer } from 'node:http';
import { benchSecret, cookieName, listen, routes } from './common.ts';

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
app.get(routes.write, (req, res) => {
  const data = req.session as unknown as { n?: number };
  data.n = (data.n ?? 0) + 1;
  res.type('text/plain').send(String(data.n));
});
app.get(routes.read, (req, res) => {
  const data = req.session as unknown as { n?: number };
  res.type('text/plain').send(String(data.n ?? 0));
});
listen(createServer(app));
