// sessionkit on node:http with redisStore, over node-redis v5 or, with
// BENCH_REDIS_CLIENT=ioredis, ioredis v5, against REDIS_URL. `/` reads, increments and
// writes the session (GET + SET … XX: two round trips).
import { Redis } from 'ioredis';
import { createServer } from 'node:http';
import { createClient } from 'redis';
import type { RequestMap, ResponseMap } from '../../src/core/types.ts';
import { toNodeListener } from '../../src/node.ts';
import { redisStore } from '../../src/redis.ts';
import { wrapSession } from '../../src/session/wrap-session.ts';
import { cookieName, listen } from './common.ts';

type Counter = { n?: number };

function route(request: RequestMap<Counter>): ResponseMap<Counter> {
  const n = (request.session?.n ?? 0) + 1;
  return {
    status: 200,
    headers: { 'content-type': 'text/plain' },
    body: String(n),
    session: { ...request.session, n },
  };
}

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const client =
  process.env.BENCH_REDIS_CLIENT === 'ioredis'
    ? new Redis(url, { enableOfflineQueue: false, lazyConnect: true })
    : createClient({ url, disableOfflineQueue: true });
await client.connect();
const store = redisStore({ client });
listen(createServer(toNodeListener(wrapSession<Counter>({ store, cookieName })(route))));
