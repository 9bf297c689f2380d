/** Small things every host shares: logging that cannot throw, and reading proxy headers. */
import type { Logger } from '../core/types.ts';

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
