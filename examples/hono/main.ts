// `npm run example:hono`: the example on Hono 4 and @hono/node-server, on PORT (default 3000).
import { serve } from '@hono/node-server';
import { announce, port } from '../shared/env.ts';
import { createHonoApp } from './app.ts';

const server = serve(
  { fetch: createHonoApp(process.env).fetch, port: port(process.env) },
  (info) => {
    announce('hono', `http://localhost:${info.port}`, async () => {
      await new Promise((resolve) => server.close(resolve));
    });
  },
);
