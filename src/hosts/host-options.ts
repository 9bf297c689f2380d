/**
 * The option checks every host shares, so that `serve`, `toFetchHandler` and the framework
 * adapters refuse the same mistakes with the same message.
 */
import { invalidOption } from '../core/errors.ts';
import type { Logger } from '../core/types.ts';

/**
 * `options` (or `{}`), once every name in it is known. An unknown name is refused rather
 * than ignored: a misspelt `bodyLimitByte` would otherwise leave the default in force.
 *
 * @throws {SessionkitError} `invalid_option` for a non-object or an unknown name.
 */
export function knownOptions<T extends object>(
  what: string,
  options: T | undefined,
  known: readonly string[],
): T | Record<string, never> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidOption(what, 'options', options, 'an object or undefined');
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw invalidOption(
        what,
        key,
        (options as Record<string, unknown>)[key],
        `one of ${known.join(', ')} (unknown option)`,
      );
    }
  }
  return options;
}

/** A body limit in bytes: a non-negative safe integer. */
export function checkBodyLimit(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidOption(what, 'bodyLimitBytes', value, 'a non-negative integer number of bytes');
  }
  return value;
}

/** `trustProxy`: a boolean. */
export function checkTrustProxy(what: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidOption(what, 'trustProxy', value, 'true or false');
  return value;
}

/** A {@link Logger}: `warn` and `error` functions, and `debug` when present. */
export function checkLogger(what: string, value: unknown): Logger {
  const logger = value as Partial<Logger> | null;
  if (
    typeof logger !== 'object' ||
    logger === null ||
    typeof logger.warn !== 'function' ||
    typeof logger.error !== 'function' ||
    (logger.debug !== undefined && typeof logger.debug !== 'function')
  ) {
    throw invalidOption(what, 'logger', value, 'an object with warn and error methods');
  }
  return logger as Logger;
}

/** Logs without ever throwing: a failing logger must not take a server down. */
export function safeLog(
  logger: Logger,
  level: 'debug' | 'warn' | 'error',
  message: string,
  error?: unknown,
): void {
  try {
    if (level === 'error') logger.error(message, error);
    else if (level === 'warn') logger.warn(message);
    else logger.debug?.(message);
  } catch {
    // nothing sensible is left to do
  }
}

/** The first comma-separated entry of a proxy header, trimmed (`X-Forwarded-*`). */
export function firstEntry(
  value: string | readonly string[] | null | undefined,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : value[0];
  if (text === undefined) return undefined;
  const comma = text.indexOf(',');
  return (comma === -1 ? text : text.slice(0, comma)).trim();
}
