// `npm start`: serves the example on PORT (default 3000).
import { serve } from '../../src/node.ts';
import { createApp } from './app.ts';

const port = Number(process.env.PORT ?? 3000);
// Behind a TLS-terminating proxy, TRUST_PROXY=1 lets X-Forwarded-Proto say the request was HTTPS.
const trustProxy = process.env.TRUST_PROXY === '1' || process.env.TRUST_PROXY === 'true';
const server = await serve(createApp(), { port, trustProxy });
console.log(`sessionkit example listening on ${server.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
