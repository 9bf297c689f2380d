// `npm start`: serves the example on node:http, on PORT (default 3000).
import { serve } from '../../src/node.ts';
import { announce, port, trustProxy } from '../shared/env.ts';
import { createApp } from './app.ts';

const server = await serve(createApp(process.env), {
  port: port(process.env),
  trustProxy: trustProxy(process.env),
});
announce('node:http', server.url, () => server.close());
