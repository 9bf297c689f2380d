import { expressDriver } from './drivers.ts';
import { scenarios } from './suite.ts';

scenarios(expressDriver);
