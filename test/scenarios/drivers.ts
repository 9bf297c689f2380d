// The hosts the scenario suite runs on. A driver starts the Kit example application, in its
// host's own idiom, with the given environment, and gives a fetch-like way to reach it.
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve as serveHono } from '@hono/node-server';
import { createApp } from '../../examples/app/app.ts';
import type { ExampleEnv } from '../../examples/app/app.ts';
import { createExpressApp } from '../../examples/express/app.ts';
import { createFastifyApp } from '../../examples/fastify/app.ts';
import { createFetchApp } from '../../examples/fetch/app.ts';
import { createHonoApp } from '../../examples/hono/app.ts';
import { serve } from '../../src/node.ts';
import type { Fetch } from '../support/client.ts';
import { RecordingLogger } from '../support/fakes.ts';
import { inProcess } from '../support/in-process.ts';

/** A running application. */
export interface Started {
  readonly fetch: Fetch;
  /** What the application and its host logged. */
  readonly logger: RecordingLogger;
  close(): Promise<void>;
}

export interface Driver {
  readonly name: string;
  start(env: ExampleEnv): Promise<Started>;
}

/** The handler called in process: no socket, the fastest way to run a scenario. */
export const inProcessDriver: Driver = {
  name: 'in-process',
  async start(env) {
    const logger = new RecordingLogger();
    const app = createApp(env, { logger });
    return {
      fetch: inProcess(app, (error) => logger.error('in-process: handler failed', error)),
      logger,
      close: async () => undefined,
    };
  },
};

/** The node:http host over a real socket on 127.0.0.1. */
export const nodeDriver: Driver = {
  name: 'node:http',
  async start(env) {
    const logger = new RecordingLogger();
    const server = await serve(createApp(env, { logger }), {
      port: 0,
      hostname: '127.0.0.1',
      logger,
    });
    return {
      fetch: (path, init) => fetch(server.url + path, init),
      logger,
      close: () => server.close(),
    };
  },
};

/** Listens on 127.0.0.1, port 0, and gives the bound port. */
function boundPort(server: { address(): unknown }): number {
  return (server.address() as AddressInfo).port;
}

/** Closes a node server and every connection it holds. */
function closeServer(server: HttpServer): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    server.closeAllConnections();
  });
}

/** A Fetch handler served by @hono/node-server over a real socket. */
async function serveFetch(
  fetchHandler: (request: Request) => Promise<Response> | Response,
): Promise<{
  url: string;
  close: () => Promise<void>;
}> {
  const server = await new Promise<HttpServer>((resolve) => {
    const started: HttpServer = serveHono(
      { fetch: fetchHandler, port: 0, hostname: '127.0.0.1' },
      () => resolve(started),
    ) as HttpServer;
  });
  return { url: `http://127.0.0.1:${boundPort(server)}`, close: () => closeServer(server) };
}

/** toFetchHandler over the example's handler, served by @hono/node-server. */
export const fetchDriver: Driver = {
  name: 'fetch',
  async start(env) {
    const logger = new RecordingLogger();
    const server = await serveFetch(createFetchApp(env, { logger }));
    return { fetch: (path, init) => fetch(server.url + path, init), logger, close: server.close };
  },
};

/** Express 5 with sessionMiddleware, on its own app.listen. */
export const expressDriver: Driver = {
  name: 'express',
  async start(env) {
    const logger = new RecordingLogger();
    const app = createExpressApp(env, { logger });
    const server = await new Promise<HttpServer>((resolve) => {
      const started = app.listen(0, '127.0.0.1', () => resolve(started));
    });
    const url = `http://127.0.0.1:${boundPort(server)}`;
    return {
      fetch: (path, init) => fetch(url + path, init),
      logger,
      close: () => closeServer(server),
    };
  },
};

/** Hono 4 with sessionMiddleware, on @hono/node-server. */
export const honoDriver: Driver = {
  name: 'hono',
  async start(env) {
    const logger = new RecordingLogger();
    const server = await serveFetch(createHonoApp(env, { logger }).fetch);
    return { fetch: (path, init) => fetch(server.url + path, init), logger, close: server.close };
  },
};

/** Fastify 5 with sessionPlugin, on its own listen. */
export const fastifyDriver: Driver = {
  name: 'fastify',
  async start(env) {
    const logger = new RecordingLogger();
    const app = await createFastifyApp(env, { logger });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { fetch: (path, init) => fetch(url + path, init), logger, close: () => app.close() };
  },
};
