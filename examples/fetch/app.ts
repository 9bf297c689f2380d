// Kit's example as a Fetch app: the node example's handler (examples/app) through
// toFetchHandler, for any server that speaks Request and Response.
import { toFetchHandler } from '../../src/fetch.ts';
import { createApp } from '../app/app.ts';
import { trustProxy } from '../shared/env.ts';
import type { ExampleEnv, ExampleOptions } from '../shared/env.ts';

export function createFetchApp(
  env: ExampleEnv,
  options: ExampleOptions = {},
): (request: Request) => Promise<Response> {
  return toFetchHandler(createApp(env, options), {
    trustProxy: trustProxy(env),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
}
