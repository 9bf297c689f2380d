export { serve, toNodeListener } from './lib/node-host.ts';
export type { NodeHostOptions, ServeOptions, Server } from './lib/node-host.ts';
