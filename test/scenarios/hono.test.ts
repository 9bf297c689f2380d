import { honoDriver } from './drivers.ts';
import { scenarios } from './suite.ts';

scenarios(honoDriver);
