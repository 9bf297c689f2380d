// What `cookieStore(…).inspect(value)` says about a cookie value (for `sessionkit open`).
import type { SessionData } from '../../core/types.ts';
import type { SealFailure } from '../../crypto/seal.ts';

/** `CookieStore.inspect` of a value that opens. Times are epoch seconds. */
export interface OpenedCookie {
  readonly opened: true;
  /** The format it was sealed in: 2, or 1 (sessionkit 0.1; re-sealed when read). */
  readonly format: 1 | 2;
  /** Which secret opened it: 0 is the current one, 1 the first previous one, … */
  readonly keyIndex: number;
  /** The public id of that secret (format 2 only). */
  readonly keyId: string | undefined;
  /** The session id; `legacyId` when the value had none and it was derived from the value. */
  readonly id: string;
  readonly legacyId: boolean;
  readonly subject: string | undefined;
  readonly createdAt: number;
  readonly activeAt: number;
  /** When the idle timeout ends it, unless a request slides it. */
  readonly idleDeadline: number;
  /** When the absolute timeout ends it, whatever happens. */
  readonly absoluteDeadline: number;
  readonly data: SessionData;
  /**
   * Whether a request would read it now: `valid`, or why not (`idle-expired`,
   * `absolute-expired`, `from-the-future` (times past the 60 s clock-skew allowance),
   * `revoked`, or `revocations-unavailable`: the revocation list is out of sync and fails
   * closed).
   */
  readonly state:
    | 'valid'
    | 'idle-expired'
    | 'absolute-expired'
    | 'from-the-future'
    | 'revoked'
    | 'revocations-unavailable';
}

/** `CookieStore.inspect` of a value that does not open. */
export interface UnopenedCookie {
  readonly opened: false;
  /** Why (see `SealFailure`), or `not-a-session`: it opens, but holds no session of ours. */
  readonly reason: SealFailure | 'not-a-session';
  /** The key id a format-2 value names, if it has one. */
  readonly keyId: string | undefined;
}

/** What `CookieStore.inspect` finds. */
export type CookieInspection = OpenedCookie | UnopenedCookie;
