import { fastifyDriver } from './drivers.ts';
import { scenarios } from './suite.ts';

scenarios(fastifyDriver);
