export { serve, toNodeListener } from './hosts/node/node-host.ts';
export type { NodeHostOptions, ServeOptions, Server } from './hosts/node/node-host.ts';
