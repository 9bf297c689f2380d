/**
 * Lost updates: 32 requests of one session at once, on Express, with express-session (its
 * MemoryStore) and with sessionkit/express on the memory store, the Redis store and the cookie
 * store. Two routes, each doing 2 ms of asynchronous work (a database call, say) between
 * reading the session and answering: `/put?k=` sets one key of its own, `/count` increments
 * a counter (`req.session.count++` with express-session, `req.session.update(…)` with
 * sessionkit). Counts what landed; takes a few seconds. `npx tsx bench/index.ts updates`.
 */
import express from 'express';
import type { Request, RequestHandler, Response } from 'express';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { sessionMiddleware } from '../src/express.ts';
import { cookieStore, memoryStore } from '../src/index.ts';
import type { SessionStore } from '../src/index.ts';
import { redisStore } from '../src/redis.ts';
import { startRedis } from '../test/support/redis.ts';
import { benchSecret } from './servers/common.ts';

const concurrent = 32;
const work = () => sleep(2);

type Session = Record<string, unknown>;

function expressSessionApp(): express.Express {
  const require = createRequire(import.meta.url);
  const session = require('express-session') as ((options: object) => RequestHandler) & {
    MemoryStore: new () => object;
  };
  const app = express();
  app.use(
    session({
      secret: benchSecret,
      resave: false,
      saveUninitialized: false,
      store: new session.MemoryStore(),
    }),
  );
  app.get('/put', async (req: Request, res: Response) => {
    const data = req.session as unknown as Session;
    await work();
    data[String(req.query.k)] = '1';
    res.send('ok');
  });
  app.get('/count', async (req: Request, res: Response) => {
    const data = req.session as unknown as Session;
    await work();
    data.count = Number(data.count ?? 0) + 1;
    res.send(String(data.count));
  });
  app.get('/keys', (req, res) => res.json(req.session));
  return app;
}

function sessionkitApp(store: SessionStore): express.Express {
  const app = express();
  app.use(sessionMiddleware({ session: { store }, csrf: false }));
  app.get('/put', async (req, res) => {
    await work();
    req.session[String(req.query.k)] = '1';
    res.send('ok');
  });
  app.get('/count', async (req, res) => {
    await work();
    const session = await req.session.update((s) => ({ ...s, count: Number(s.count ?? 0) + 1 }));
    res.send(String(session.count));
  });
  app.get('/keys', (req, res) => res.json({ ...req.session }));
  return app;
}

/** Runs both routes against `app`; resolves to how many of the 32 keys and increments landed. */
async function measure(app: express.Express): Promise<{ keys: number; count: number }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let cookie = '';
  const get = async (path: string): Promise<globalThis.Response> => {
    const response = await fetch(base + path, { headers: cookie === '' ? {} : { cookie } });
    const set = response.headers.getSetCookie()[0];
    if (set !== undefined) cookie = set.split(';')[0]!;
    return response;
  };
  try {
    await (await get('/put?k=seed')).text(); // the session every request below shares
    // All 32 carry the cookie they started with; as in a browser, the Set-Cookie that
    // arrives last is the one kept (it matters for the cookie store).
    const all = (path: (i: number) => string) => {
      const shared = cookie;
      return Promise.all(
        Array.from({ length: concurrent }, async (_, i) => {
          const response = await fetch(base + path(i), { headers: { cookie: shared } });
          const set = response.headers.getSetCookie()[0];
          if (set !== undefined) cookie = set.split(';')[0]!;
          return response.text();
        }),
      );
    };
    await all((i) => `/put?k=k${i}`);
    const keys = Object.keys((await (await get('/keys')).json()) as Session).filter((k) =>
      /^k\d+$/.test(k),
    ).length;
    await all(() => '/count');
    const count = Number(((await (await get('/keys')).json()) as Session).count ?? 0);
    return { keys, count };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

export async function runUpdatesBench(): Promise<void> {
  const redis = await startRedis();
  const client = createClient({ url: redis.url, disableOfflineQueue: true });
  await client.connect();
  try {
    const contenders: [string, () => express.Express][] = [
      ['express-session (MemoryStore)', expressSessionApp],
      ['sessionkit, memoryStore', () => sessionkitApp(memoryStore())],
      ['sessionkit, redisStore', () => sessionkitApp(redisStore({ client }))],
      ['sessionkit, cookieStore', () => sessionkitApp(cookieStore({ secrets: [benchSecret] }))],
    ];
    console.log(`${concurrent} concurrent requests of one session, 2 ms of work each\n`);
    console.log(
      '| server                        | keys set that landed | increments that landed |',
    );
    console.log(
      '| ----------------------------- | -------------------: | ---------------------: |',
    );
    for (const [name, make] of contenders) {
      const { keys, count } = await measure(make());
      console.log(
        `| ${name.padEnd(29)} | ${`${keys} of ${concurrent}`.padStart(20)} | ${`${count} of ${concurrent}`.padStart(22)} |`,
      );
    }
  } finally {
    await client.quit();
    await redis.stop();
  }
}
