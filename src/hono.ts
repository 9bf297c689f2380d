export { honoSessionDefaults, sessionMiddleware } from './hosts/hono/hono-host.ts';
export type { HonoSessionOptions, SessionVariables } from './hosts/hono/hono-host.ts';
export type { Session, SessionMethods, SessionValues } from './hosts/session-object.ts';
export { SessionUnavailableError } from './hosts/adapter.ts';
