// express 5 + cookie-session: base64 JSON in one cookie, a keygrip HMAC in `session.sig`.
import cookieSession from 'cookie-session';
import express from 'express';
import { createServer } from 'node:http';
import { benchSecret, cookieName, listen } from './common.ts';

const app = express();
app.use(cookieSession({ name: cookieName, keys: [benchSecret] }));
app.get('/', (req, res) => {
  const data = req.session as { n?: number };
  data.n = (data.n ?? 0) + 1;
  res.type('text/plain').send(String(data.n));
});
listen(createServer(app));
