// `npm run example:fastify`: the example on Fastify 5, on PORT (default 3000).
import { announce, connectStore, host, port } from '../shared/env.ts';
import { createFastifyApp } from './app.ts';

const env = process.env;
const store = await connectStore(env);
const app = await createFastifyApp(env, store.options);
const url = await app.listen({ port: port(env), host: host(env) ?? '::' });
announce('fastify', url, () => app.close(), store);
