import { inProcessDriver } from './drivers.ts';
import { scenarios } from './suite.ts';

scenarios(inProcessDriver);
