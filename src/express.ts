export { sessionMiddleware } from './hosts/express/express-host.ts';
export type { ExpressSessionOptions } from './hosts/express/express-host.ts';
export type { Session, SessionMethods, SessionValues } from './hosts/session-object.ts';
export { SessionUnavailableError } from './hosts/adapter.ts';
