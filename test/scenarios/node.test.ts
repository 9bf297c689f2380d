import { nodeDriver } from './drivers.ts';
import { scenarios } from './suite.ts';

scenarios(nodeDriver);
