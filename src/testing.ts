export { Clock } from './testing/clock.ts';
export { storeContract } from './testing/store-contract.ts';
export type { StoreContractOptions, StoreUnderTestOptions } from './testing/store-contract.ts';
