// node:http + iron-session 8 (`getIronSession` with req/res, a Web Crypto seal per save).
// `/read` saves again (a new seal, a new cookie) once the refresh time `t` is
// touchAfterSeconds old: iron-session slides its ttl only when the session is saved.
import { getIronSession } from 'iron-session';
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

listen(
  createServer((req, res) => {
    void (async () => {
      const session = await getIronSession<Data>(req, res, { password: benchSecret, cookieName });
      const now = nowSeconds();
      if (req.url === routes.write) {
        session.n = (session.n ?? 0) + 1;
        session.t = now;
        await session.save();
      } else if (now - (session.t ?? 0) >= touchAfterSeconds) {
        session.t = now;
        await session.save();
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(String(session.n ?? 0));
    })().catch((error: unknown) => {
      console.error(error);
      res.writeHead(500).end();
    });
  }),
);
