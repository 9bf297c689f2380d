// Bare node:http: no session, the floor every other contender is compared with. It answers
// every path alike.
import { createServer } from 'node:http';
import { listen } from './common.ts';

listen(
  createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  }),
);
