// Express 5 + sessionkit/express on the cookie store (CSRF on, as by default): the
// read-increment-write route, the session changed in place.
import express from 'express';
import { createServer } from 'node:http';
import { sessionMiddleware } from '../../src/express.ts';
import { cookieStore } from '../../src/index.ts';
import { benchSecret, cookieName, listen } from './common.ts';

const app = express();
app.use(
  sessionMiddleware({ session: { store: cookieStore({ secrets: [benchSecret], cookieName }) } }),
);
app.get('/', (req, res) => {
  const n = Number(req.session.n ?? 0) + 1;
  req.session.n = n;
  res.type('text/plain').send(String(n));
});
listen(createServer(app));
