// `npm start`: serves the example on node:http, on PORT (default 3000; HOST to listen on one
// address only). SESSION_STORE=cookie (default), memory or redis (see ../shared/redis.ts).
import { serve } from '../../src/node.ts';
import { announce, connectStore, host, port, trustProxy } from '../shared/env.ts';
import { createApp } from './app.ts';

const env = process.env;
const store = await connectStore(env);
const server = await serve(createApp(env, store.options), {
  port: port(env),
  hostname: host(env),
  trustProxy: trustProxy(env),
});
announce('node:http', server.url, () => server.close(), store);
