export { sessionPlugin } from './hosts/fastify/fastify-host.ts';
export type { FastifySessionOptions } from './hosts/fastify/fastify-host.ts';
export type { Session, SessionMethods, SessionValues } from './hosts/session-object.ts';
export { SessionUnavailableError } from './hosts/adapter.ts';
