// express 5 + cookie-session: base64 JSON in one cookie, a keygrip HMAC in `session.sig`.
// Its documented way to slide the expiry is to change the session: `/read` sets the refresh
// time `t` once it is touchAfterSeconds old, which re-signs and re-sends both cookies.
import cookieSession from 'cookie-session';
import express from 'express';
import { createServer } from 'node:http';
import {
  benchSecret,
  cookieName,
  listen,
  nowSeconds,
  routes,
  touchAfterSeconds,
} from './common.ts';

type Data = { n?: number; t?: number };

const app = express();
app.use(cookieSession({ name: cookieName, keys: [benchSecret], maxAge: 86_400_000 }));
app.get(routes.write, (req, res) => {
  const data = req.session as Data;
  data.n = (data.n ?? 0) + 1;
  data.t = nowSeconds();
  res.type('text/plain').send(String(data.n));
});
app.get(routes.read, (req, res) => {
  const data = req.session as Data;
  const now = nowSeconds();
  if (now - (data.t ?? 0) >= touchAfterSeconds) data.t = now;
  res.type('text/plain').send(String(data.n ?? 0));
});
listen(createServer(app));
