// Compile-time checks of the framework adapters' types, run by `npm run typecheck`: every
// line without a `@ts-expect-error` must compile, and every line after one must not.
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { csrfInput } from '../../src/index.ts';
import { sessionMiddleware } from '../../src/express.ts';
import { sessionPlugin } from '../../src/fastify.ts';
import { sessionMiddleware as honoSession } from '../../src/hono.ts';
import type { SessionVariables } from '../../src/hono.ts';

// The application types its session fields by augmenting SessionValues, through any entry.
declare module '../../src/express.ts' {
  interface SessionValues {
    typedVisits?: number;
  }
}

const app = express();
app.use(sessionMiddleware());
app.get('/', (req, res) => {
  req.session.typedVisits = (req.session.typedVisits ?? 0) + 1;
  // @ts-expect-error: the augmented field is a number
  req.session.typedVisits = 'many';
  // @ts-expect-error: a session holds JSON, not a Date
  req.session.when = new Date();
  req.session.regenerate();
  res.flash('saved');
  // @ts-expect-error: the flash is JSON too
  res.flash(new Map());
  const input: string = csrfInput(req);
  const token: string = res.locals.csrfToken();
  res.send(`${input}${token}${String(req.flash)}`);
});

const fastify = Fastify();
void fastify.register(sessionPlugin, { csrf: false });
fastify.get('/', async (request, reply) => {
  const visits: number | undefined = request.session.typedVisits;
  request.session.destroy();
  reply.flash({ visits: visits ?? 0 });
  return request.csrfToken();
});

const hono = new Hono<{ Variables: SessionVariables }>().use(honoSession({ bodyLimitBytes: 10 }));
hono.get('/', (c) => {
  const visits: number | undefined = c.get('session').typedVisits;
  c.set('nextFlash', visits ?? null);
  // @ts-expect-error: not a variable the middleware sets
  c.get('user');
  return c.text(csrfInput(c.var));
});

// @ts-expect-error: unknown options are refused at compile time too
sessionMiddleware({ store: undefined });
