// `npm start`: serves the example on PORT (default 3000; HOST to listen on one address only).
// SESSION_STORE=cookie (default), memory or redis (see redis.ts).
import { serve } from '../../src/node.ts';
import { createApp } from './app.ts';
import { connectRedis } from './redis.ts';

const port = Number(process.env.PORT ?? 3000);
// Behind a TLS-terminating proxy, TRUST_PROXY=1 lets X-Forwarded-Proto say the request was HTTPS.
const trustProxy = process.env.TRUST_PROXY === '1' || process.env.TRUST_PROXY === 'true';
const redis = process.env.SESSION_STORE === 'redis' ? await connectRedis(process.env) : undefined;
const app = createApp(process.env, redis === undefined ? {} : { store: redis.store });
const server = await serve(app, { port, trustProxy, hostname: process.env.HOST });
console.log(`sessionkit example listening on ${server.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server
      .close()
      .then(() => redis?.close())
      .then(() => process.exit(0));
  });
}
