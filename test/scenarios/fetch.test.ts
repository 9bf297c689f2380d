import { fetchDriver } from './drivers.ts';
import { scenarios } from './suite.ts';

scenarios(fetchDriver);
