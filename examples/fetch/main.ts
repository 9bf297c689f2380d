// `npm run example:fetch`: the example as a Fetch app on @hono/node-server, on PORT (default 3000).
import { serve } from '@hono/node-server';
import { announce, port } from '../shared/env.ts';
import { createFetchApp } from './app.ts';

const server = serve({ fetch: createFetchApp(process.env), port: port(process.env) }, (info) => {
  announce('fetch', `http://localhost:${info.port}`, async () => {
    await new Promise((resolve) => server.close(resolve));
  });
});
