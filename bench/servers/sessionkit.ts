// sessionkit on node:http with the cookie store. `/` reads, increments and writes the
// session; `/read` only reads it (no store write, no Set-Cookie).
import { createServer } from 'node:http';
import { cookieStore } from '../../src/stores/cookie/cookie-store.ts';
import { wrapSession } from '../../src/session/wrap-session.ts';
import type { RequestMap, ResponseMap } from '../../src/core/types.ts';
import { toNodeListener } from '../../src/node.ts';
import { benchSecret, cookieName, listen } from './common.ts';

type Counter = { n?: number };

function route(request: RequestMap<Counter>): ResponseMap<Counter> {
  const n = request.session?.n ?? 0;
  if (request.path === '/read') {
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: String(n) };
  }
  return {
    status: 200,
    headers: { 'content-type': 'text/plain' },
    body: String(n + 1),
    session: { ...request.session, n: n + 1 },
  };
}

const store = cookieStore({ secrets: [benchSecret], cookieName });
listen(createServer(toNodeListener(wrapSession<Counter>({ store })(route))));
