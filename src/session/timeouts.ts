import { invalidOption } from '../core/errors.ts';
import type { TimeoutOptions } from './store.ts';

/** Timeouts resolved and checked, shared by every store. Seconds; `now` in milliseconds. */
export interface ResolvedTimeouts {
  readonly idleTimeoutSeconds: number;
  readonly absoluteTimeoutSeconds: number;
  readonly touchAfterSeconds: number;
  readonly now: () => number;
}

/** The defaults, kept as data so the docs can point at them. */
export const timeoutDefaults = Object.freeze({
  /** Kit's 24 hours of inactivity. */
  idleTimeoutSeconds: 86_400,
  /** Seven days, however active. */
  absoluteTimeoutSeconds: 604_800,
});

/**
 * What people write for the timeouts, and the option that does it. A store's session lasts
 * as long as its timeouts say; the cookie's own Max-Age is a `wrapSession` cookie attribute.
 */
export const timeoutHints: Readonly<Record<string, string>> = Object.freeze({
  maxAge: "idleTimeoutSeconds (the cookie's Max-Age is wrapSession's cookieAttrs.maxAge)",
  ttl: 'idleTimeoutSeconds',
  idleTimeout: 'idleTimeoutSeconds',
  absoluteTimeout: 'absoluteTimeoutSeconds',
  rolling: 'touchAfterSeconds',
});

/**
 * Resolves timeout options once, at construction. The sliding throttle defaults to a tenth
 * of the idle timeout: a session is refreshed at most that often, and an active user is never
 * logged out by it because it stays well inside the idle window.
 */
export function resolveTimeouts(
  what: string,
  options: TimeoutOptions & { touchAfterSeconds?: number | undefined },
): ResolvedTimeouts {
  const idle = options.idleTimeoutSeconds ?? timeoutDefaults.idleTimeoutSeconds;
  const absolute = options.absoluteTimeoutSeconds ?? timeoutDefaults.absoluteTimeoutSeconds;
  if (!Number.isSafeInteger(idle) || idle < 1) {
    throw invalidOption(what, 'idleTimeoutSeconds', idle, 'a positive whole number of seconds');
  }
  if (!Number.isSafeInteger(absolute) || absolute < idle) {
    throw invalidOption(
      what,
      'absoluteTimeoutSeconds',
      absolute,
      `a whole number of seconds no smaller than idleTimeoutSeconds (${idle})`,
    );
  }
  const touchAfter = options.touchAfterSeconds ?? Math.floor(idle / 10);
  if (!Number.isSafeInteger(touchAfter) || touchAfter < 0 || touchAfter >= idle) {
    throw invalidOption(
      what,
      'touchAfterSeconds',
      touchAfter,
      `a whole number of seconds from 0 to less than idleTimeoutSeconds (${idle})`,
    );
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function')
    throw invalidOption(what, 'now', now, 'a function returning milliseconds');
  return Object.freeze({
    idleTimeoutSeconds: idle,
    absoluteTimeoutSeconds: absolute,
    touchAfterSeconds: touchAfter,
    now,
  });
}
