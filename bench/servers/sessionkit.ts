// sessionkit on node:http with the cookie store (its default), the sliding refresh throttled
// to touchAfterSeconds. `/write` reads, increments and writes the session; `/read` only reads
// it, and the middleware re-seals it when the refresh is due. BENCH_PROVIDER=node:crypto
// seals without sodium-native even where it is installed.
import { createServer } from 'node:http';
import { cookieStore } from '../../src/stores/cookie/cookie-store.ts';
import { wrapSession } from '../../src/session/wrap-session.ts';
import type { RequestMap, ResponseMap } from '../../src/core/types.ts';
import { toNodeListener } from '../../src/node.ts';
import { benchSecret, cookieName, listen, routes, touchAfterSeconds } from './common.ts';

type Counter = { n?: number };

const text = { 'content-type': 'text/plain' };

function route(request: RequestMap<Counter>): ResponseMap<Counter> {
  const n = request.session?.n ?? 0;
  if (request.path === routes.read) return { status: 200, headers: text, body: String(n) };
  return {
    status: 200,
    headers: text,
    body: String(n + 1),
    session: { ...request.session, n: n + 1 },
  };
}

const provider = process.env.BENCH_PROVIDER === 'node:crypto' ? 'node:crypto' : 'auto';
const store = cookieStore({ secrets: [benchSecret], cookieName, touchAfterSeconds, provider });
listen(createServer(toNodeListener(wrapSession<Counter>({ store })(route))));
