export { serve, toNodeListener } from './hosts/node/node-host.ts';
export { nodeHostDefaults } from './hosts/node/options.ts';
export type { NodeHostOptions, ServeOptions, Server } from './hosts/node/options.ts';
