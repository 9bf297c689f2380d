// `npm run example:fastify`: the example on Fastify 5, on PORT (default 3000).
import { announce, port } from '../shared/env.ts';
import { createFastifyApp } from './app.ts';

const app = await createFastifyApp(process.env);
const url = await app.listen({ port: port(process.env), host: '::' });
announce('fastify', url, () => app.close());
