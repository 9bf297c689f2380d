// `npm run example:express`: the example on Express 5, on PORT (default 3000).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announce, connectStore, host, port } from '../shared/env.ts';
import { createExpressApp } from './app.ts';

const env = process.env;
const store = await connectStore(env);
const app = createExpressApp(env, store.options);
const hostname = host(env);
const server: Server = await new Promise((resolve) => {
  const listening =
    hostname === undefined
      ? app.listen(port(env), () => resolve(listening))
      : app.listen(port(env), hostname, () => resolve(listening));
});
const { port: bound } = server.address() as AddressInfo;
announce(
  'express',
  `http://${hostname ?? 'localhost'}:${bound}`,
  async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  },
  store,
);
