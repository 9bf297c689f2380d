// express 5 + cookie-session: base64 JSON in one cookie, a keygrip HMAC in `session.sig`.
import express from 'express';
import type { RequestHandler } from 'express';
import { createServer } from 'node:http';
import { benchSecret, cookieName, listen, requireUntyped } from './common.ts';

const cookieSession = requireUntyped('cookie-session') as (options: object) => RequestHandler;

const app = express();
app.use(cookieSession({ name: cookieName, keys: [benchSecret] }));
app.get('/', (req, res) => {
  const data = req.session as unknown as { n?: number };
  data.n = (data.n ?? 0) + 1;
  res.type('text/plain').send(String(data.n));
});
listen(createServer(app));
