// `npm start`: serves the example on PORT (default 3000).
import { serve } from '../../src/node.ts';
import { createApp } from './app.ts';

const port = Number(process.env.PORT ?? 3000);
const server = await serve(createApp(), { port });
console.log(`sessionkit example listening on ${server.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
