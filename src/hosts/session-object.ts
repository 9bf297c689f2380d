/**
 * The session as the framework adapters (Express, Fastify, Hono) hand it to handlers: the
 * data itself, changed in place, with two methods. The adapter compares it with what was
 * loaded when the response is committed; the halves never see this object.
 */
import type { JsonValue, SessionData } from '../core/types.ts';

/**
 * The application's session fields. Augment it to type them, as with express-session:
 *
 * ```ts
 * declare module 'sessionkit/express' {
 *   interface SessionValues { user?: string }
 * }
 * ```
 */
export interface SessionValues {
  [key: string]: JsonValue | undefined;
}

/** The two things a framework session does besides holding data. */
export interface SessionMethods {
  /**
   * Moves the data to a new session key when the response is committed, and drops the CSRF
   * secret (Ring's `:recreate`). Call it on login and on any change of privilege (session
   * fixation, OWASP SM "Renew the Session ID").
   */
  regenerate(): void;
  /**
   * Empties the session now; when the response is committed the stored session is deleted
   * and its cookie expired (`session: null`). Data set after `destroy()` starts a new
   * session under a new key ("You have been logged out" as a flash, for instance).
   */
  destroy(): void;
}

/** `req.session`, `request.session`, `c.get('session')`: the data, plus {@link SessionMethods}. */
export type Session = SessionValues & SessionMethods;

/** What {@link SessionObject}'s methods record, for the commit. */
export interface SessionMarks {
  regenerate: boolean;
  destroyed: boolean;
}

/** The implementation of {@link Session}: data as own enumerable properties. */
export class SessionObject implements SessionMethods {
  [key: string]: unknown;
  readonly #marks: SessionMarks;

  constructor(marks: SessionMarks, data: SessionData) {
    this.#marks = marks;
    Object.assign(this, data);
  }

  regenerate(): void {
    this.#marks.regenerate = true;
  }

  destroy(): void {
    this.#marks.destroyed = true;
    for (const key of Object.keys(this)) delete this[key];
  }
}
