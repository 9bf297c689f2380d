// The hosts the scenario suite runs on. A driver starts the Kit example application, in its
// host's own idiom, with the given environment, and gives a fetch-like way to reach it.
import { createApp } from '../../examples/app/app.ts';
import type { ExampleEnv } from '../../examples/app/app.ts';
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
