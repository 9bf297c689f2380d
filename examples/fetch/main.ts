// `npm run example:fetch`: the example as a Fetch app on @hono/node-server, on PORT (default 3000).
import { serve } from '@hono/node-server';
import { announce, connectStore, host, port } from '../shared/env.ts';
import { createFetchApp } from './app.ts';

const env = process.env;
const store = await connectStore(env);
const hostname = host(env);
const server = serve(
  {
    fetch: createFetchApp(env, store.options),
    port: port(env),
    ...(hostname === undefined ? {} : { hostname }),
  },
  (info) => {
    announce(
      'fetch',
      `http://${hostname ?? 'localhost'}:${info.port}`,
      () => new Promise((resolve) => server.close(resolve)),
      store,
    );
  },
);
