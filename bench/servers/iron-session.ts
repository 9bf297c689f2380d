// node:http + iron-session 8 (`getIronSession` with req/res, Web Crypto seal per request).
import { getIronSession } from 'iron-session';
import { createServer } from 'node:http';
import { benchSecret, cookieName, listen } from './common.ts';

listen(
  createServer((req, res) => {
    void (async () => {
      const session = await getIronSession<{ n?: number }>(req, res, {
        password: benchSecret,
        cookieName,
      });
      session.n = (session.n ?? 0) + 1;
      await session.save();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(String(session.n));
    })().catch((error: unknown) => {
      console.error(error);
      res.writeHead(500).end();
    });
  }),
);
