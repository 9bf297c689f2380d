export { Clock } from '../../src/testing/clock.ts';
