// express 5 + cookie-session: base64 JSON in one cookie, a keygrip HMAC in `session.sig`.
// Its documented way to slide the expiry is to change the session: `/read` sets the refresh
// time `t` once it is touchAfterSeconds old, which re-signs and re-sends both cookies.
// `/` and `/write` read, increment and write the counter.
import express from 'express';
import type { Request, RequestHandler, Response } from 'express';
import { createServer } from 'node:http';
import {
  benchSecret,
  cookieName,
  listen,
  nowSeconds,
  requireUntyped,
  routes,
  touchAfterSeconds,
} from './common.ts';

const cookieSession = requireUntyped('cookie-session') as (options: object) => RequestHandler;

type Data = { n?: number; t?: number };

const app = express();
app.use(cookieSession({ name: cookieName, keys: [benchSecret], maxAge: 86_400_000 }));
const write = (req: Request, res: Response): void => {
  const data = req.session as unknown as Data;
  data.n = (data.n ?? 0) + 1;
  data.t = nowSeconds();
  res.type('text/plain').send(String(data.n));
};
app.get('/', write);
app.get(routes.write, write);
app.get(routes.read, (req, res) => {
  const data = req.session as unknown as Data;
  const now = nowSeconds();
  if (now - (data.t ?? 0) >= touchAfterSeconds) data.t = now;
  res.type('text/plain').send(String(data.n ?? 0));
});
listen(createServer(app));
