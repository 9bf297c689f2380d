/**
 * Checking the options object every sessionkit function takes, once, at construction: an
 * unknown name (a typo such as `cookiename`, or `maxAge` given to a store) is refused with
 * the names that exist and the closest one, instead of silently keeping the default the
 * caller tried to change. Values of unknown options are never printed: a misplaced option may
 * be a secret (security case K-07).
 */
import { SessionkitError, invalidOption } from './errors.ts';
import type { Logger } from './types.ts';

/**
 * Throws `invalid_option` unless `options` is undefined or a plain object whose every key is
 * one of `known`. Returns the options as a record (empty when undefined).
 *
 * `hints` maps a name people reach for to the advice that fits better than a spelling
 * suggestion (`{ maxAge: 'idleTimeoutSeconds' }`).
 */
export function checkOptions(
  what: string,
  options: unknown,
  known: readonly string[],
  hints: Readonly<Record<string, string>> = {},
): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    // Only the type: a secret passed in place of the options must not be printed (K-07).
    throw new SessionkitError(
      'invalid_option',
      `${what}: option options is invalid: got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}, expected an object`,
    );
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = hints[key] ?? closest(key, known);
    const value = (options as Record<string, unknown>)[key];
    throw new SessionkitError(
      'invalid_option',
      `${what}: option ${key} is invalid: got ${kind(value)}, expected one of ${known.join(', ')} (unknown option${hint === undefined ? '' : `; did you mean ${hint}?`})`,
    );
  }
  return options as Record<string, unknown>;
}

/** The type of a value, never its content. */
function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

/** The known name closest to `name`: same letters in another case, a prefix, or a near spelling. */
function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  for (const candidate of known) if (candidate.toLowerCase() === lower) return candidate;
  for (const candidate of known) {
    const other = candidate.toLowerCase();
    if (other.startsWith(lower) || lower.startsWith(other)) return candidate;
  }
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** A whole number within bounds, or the default when undefined. */
export function integerOption(
  what: string,
  name: string,
  value: unknown,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    throw invalidOption(what, name, value, `a whole number ${range}`);
  }
  return value;
}

/** A boolean, or the default when undefined. */
export function booleanOption(
  what: string,
  name: string,
  value: unknown,
  fallback: boolean,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidOption(what, name, value, 'true or false');
  return value;
}

/** A function, or undefined. */
export function functionOption<F extends (...args: never[]) => unknown>(
  what: string,
  name: string,
  value: unknown,
): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalidOption(what, name, value, 'a function');
  return value as F;
}

/** A logger with `warn` and `error` (and optionally `debug`), or the default when undefined. */
export function loggerOption<L extends Partial<Logger>>(
  what: string,
  value: unknown,
  fallback: L,
  needs: readonly ('warn' | 'error')[] = ['warn', 'error'],
): L {
  if (value === undefined) return fallback;
  const logger = value as Partial<Record<string, unknown>> | null;
  if (
    typeof logger !== 'object' ||
    logger === null ||
    needs.some((method) => typeof logger[method] !== 'function') ||
    (logger.debug !== undefined && typeof logger.debug !== 'function')
  ) {
    throw invalidOption(
      what,
      'logger',
      value,
      `an object with ${needs.join(' and ')} methods (and optionally debug)`,
    );
  }
  return value as L;
}

/**
 * Whether a `NODE_ENV` value means production. Compared without case or surrounding space:
 * `Production` or `PRODUCTION ` must not slip a weak secret past the production checks.
 */
export function isProduction(nodeEnv: string | undefined): boolean {
  return nodeEnv !== undefined && nodeEnv.trim().toLowerCase() === 'production';
}
