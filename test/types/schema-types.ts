// Compile-time checks of the `schema` option, run by `npm run typecheck` (see session-types.ts).
import { type } from 'arktype';
import * as v from 'valibot';
import { z } from 'zod';
import {
  memoryStore,
  sessionOptionsFromEnv,
  text,
  wrapDefaults,
  wrapSession,
} from '../../src/index.ts';
import type { Handler, Middleware } from '../../src/index.ts';

const store = memoryStore();

// zod: the session's type is the schema's output.
const ZodSession = z.object({ user: z.string().optional(), visits: z.number().optional() });
export const zodApp = wrapSession({ store, schema: ZodSession })((request) => {
  const user: string | undefined = request.session?.user;
  // @ts-expect-error visits is a number
  const wrong: string | undefined = request.session?.visits;
  return { ...text(`${user}${wrong}`), session: { ...request.session, visits: 1 } };
});

// valibot
const ValibotSession = v.object({ cart: v.optional(v.array(v.string())) });
export const valibotMiddleware: Middleware<{ cart?: string[] | undefined }> = wrapSession({
  store,
  schema: ValibotSession,
});

// arktype
const ArkSession = type({ 'theme?': "'dark' | 'light'" });
export const arkApp = wrapSession({ store, schema: ArkSession })((request) =>
  text(request.session?.theme ?? 'light'),
);

// wrapDefaults takes it in its session options.
export const defaults = wrapDefaults({ session: { store, schema: ZodSession } })((request) => ({
  ...text('ok'),
  // @ts-expect-error visits is a number
  session: { ...request.session, visits: 'many' },
}));

// A schema whose output JSON cannot hold is refused.
const Dated = z.object({ at: z.date() });
// @ts-expect-error a Date cannot be stored
export const dated = wrapSession({ store, schema: Dated });

// Without a schema, the explicit type still works.
export const plain: Handler<{ user?: string }> = wrapSession<{ user?: string }>({ store })(
  (request) => text(request.session?.user ?? ''),
);

// The README's example: options from the environment, with a schema.
const Session = z.object({ user: z.string().optional(), cart: z.array(z.number()).optional() });
export const readmeApp = wrapSession({ ...sessionOptionsFromEnv(), schema: Session })((request) => {
  const user: string | undefined = request.session?.user;
  return { ...text(user ?? 'stranger'), session: { ...request.session, cart: [] } };
});
