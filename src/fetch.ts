export { fetchHostDefaults, toFetchHandler } from './hosts/fetch/fetch-host.ts';
export type { FetchHostOptions } from './hosts/fetch/fetch-host.ts';
