import type { Logger } from './types.ts';

/**
 * The default {@link Logger} wherever a `logger` option is left out (`wrapSession`,
 * `toNodeListener`, `serve`, `memoryStore`, `sessionOptionsFromEnv`): `warn` → `console.warn`,
 * `error` → `console.error` (the error passed along when there is one), no `debug`. Frozen;
 * `console` is read at each call, so a replaced `console.warn` is the one used.
 */
export const consoleLogger: Logger = Object.freeze({
  warn(message: string): void {
    console.warn(message);
  },
  error(message: string, error?: unknown): void {
    if (error === undefined) console.error(message);
    else console.error(message, error);
  },
});
