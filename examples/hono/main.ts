// `npm run example:hono`: the example on Hono 4 and @hono/node-server, on PORT (default 3000).
import { serve } from '@hono/node-server';
import { announce, connectStore, host, port } from '../shared/env.ts';
import { createHonoApp } from './app.ts';

const env = process.env;
const store = await connectStore(env);
const app = createHonoApp(env, store.options);
const hostname = host(env);
const server = serve(
  { fetch: app.fetch, port: port(env), ...(hostname === undefined ? {} : { hostname }) },
  (info) => {
    announce(
      'hono',
      `http://${hostname ?? 'localhost'}:${info.port}`,
      () => new Promise((resolve) => server.close(resolve)),
      store,
    );
  },
);
