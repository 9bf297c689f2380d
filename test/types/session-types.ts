// Compile-time checks, run by `npm run typecheck`: every line without a `@ts-expect-error`
// must compile, and every line after one must not (tsc fails on an unused directive).
import {
  compose,
  html,
  json,
  redirect,
  text,
  wrapCookies,
  wrapCsrf,
  wrapDefaults,
  wrapFlash,
  wrapSession,
} from '../../src/index.ts';
import type { Handler, Middleware } from '../../src/index.ts';

// An interface works as the session type (no index signature needed).
interface Account {
  user?: string;
  roles?: string[];
  preferences?: { theme: 'dark' | 'light'; pageSize: number };
}
export const accountRoutes: Handler<Account> = (request) => ({
  ...text(`Hello ${request.session?.user ?? 'stranger'}`),
  session: { ...request.session, roles: ['admin'] },
});

// Required fields: the response helpers fit any session type.
type Required = { user: string; roles: string[] };
export const requiredRoutes: Handler<Required> = (request) =>
  request.path === '/json'
    ? json({ ok: true })
    : request.path === '/html'
      ? html('<p>hi</p>')
      : request.path === '/go'
        ? redirect('/', 303)
        : text('plain');

// A typed flash: no typeof check needed.
export const flashRoutes: Handler<Account, string> = (request) => {
  const message: string | undefined = request.flash;
  return { ...redirect('/'), flash: `seen ${message ?? 'nothing'}` };
};

// The documented one-liners compile, with or without a session type.
export const app: Handler = compose(
  wrapCookies(),
  wrapSession(),
  wrapFlash(),
  wrapCsrf(),
)((request) => text(String(request.session?.user ?? '')));
export const typedApp: Handler<Account, string> = wrapDefaults<Account, string>()(flashRoutes);
export const middleware: Middleware<Account> = wrapSession<Account>();

// Removing a key the everyday way type-checks (and is dropped when stored). Under
// exactOptionalPropertyTypes, as here, the property must admit undefined to be given it.
interface Visitor {
  user?: string | undefined;
}
export const logoutUser: Handler<Visitor> = (request) => ({
  ...text('bye'),
  session: { ...request.session, user: undefined },
});

// What JSON cannot represent is a compile error where TypeScript can tell.
type WithDate = { lastSeen: Date };
// @ts-expect-error a Date is not JSON: store an ISO string
export type DateSession = Handler<WithDate>;

type WithMap = { carts: Map<string, number> };
// @ts-expect-error a Map is not JSON: store an object
export type MapSession = Handler<WithMap>;

type WithBigInt = { balance: bigint };
// @ts-expect-error a bigint is not JSON: store a string
export type BigIntSession = Handler<WithBigInt>;

interface WithFunction {
  format: () => string;
}
// @ts-expect-error a function is not JSON
export type FunctionSession = Handler<WithFunction>;

type Nested = { profile: { born: Date } };
// @ts-expect-error nested too
export type NestedSession = Handler<Nested>;

// @ts-expect-error a session object must hold JSON values
export const badValue: Handler = () => ({ ...text('x'), session: { when: new Date() } });
