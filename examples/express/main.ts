// `npm run example:express`: the example on Express 5, on PORT (default 3000).
import type { AddressInfo } from 'node:net';
import { announce, port } from '../shared/env.ts';
import { createExpressApp } from './app.ts';

const server = createExpressApp(process.env).listen(port(process.env), () => {
  const { port: bound } = server.address() as AddressInfo;
  announce('express', `http://localhost:${bound}`, async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
});
