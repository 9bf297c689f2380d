/**
 * The session as the framework adapters (Express, Fastify, Hono) hand it to handlers: the
 * data itself, changed in place, with two methods. The adapter compares it with what was
 * loaded when the response is committed; the halves never see this object.
 */
import type { JsonValue, SessionData } from '../core/types.ts';
import { invalidOption } from '../core/errors.ts';
import { subjectProblem } from '../session/revocations.ts';

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

/** What a framework session does besides holding data. */
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
  /**
   * Changes the session atomically, now, and resolves to the new data, which this object
   * then holds: for counters and anything else computed from the value before it (see
   * `updateSession`). `change` gets the session as the store holds it at the moment of the
   * write (with `memoryStore` or `redisStore` no other request's write lands in between; the
   * cookie store cannot promise it, since the browser keeps the last cookie) and may run
   * more than once, so it must have no side effects. Make other changes after it: it
   * replaces the data held here.
   */
  update<T extends SessionValues>(change: (session: SessionValues) => T): Promise<T>;
  /**
   * Attaches the session's subject when the response is committed (`sessionSubject`): the
   * user a login signs in, by an id of yours, for `revokeSubject` to end every session of that
   * user ("log out everywhere"); `null` removes it. Only a store that keeps subjects takes one
   * (the cookie store); others refuse it when the response is committed. Call it with
   * `regenerate()` on login.
   */
  setSubject(subject: string | null): void;
  /** The session's subject: as set in this request, else as read (`undefined`: none). */
  getSubject(): string | undefined;
}

/** `req.session`, `request.session`, `c.get('session')`: the data, plus {@link SessionMethods}. */
export type Session = SessionValues & SessionMethods;

/** What {@link SessionObject}'s methods record, for the commit. */
export interface SessionMarks {
  regenerate: boolean;
  destroyed: boolean;
  /** The subject set in this request (`undefined`: left as it was). */
  subject: string | null | undefined;
  /** The subject the session was read with. */
  readonly readSubject: string | undefined;
  /** Runs `updateSession` over the data the object holds now. */
  update(
    data: SessionData,
    change: (session: SessionValues) => SessionValues,
  ): Promise<SessionData>;
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

  setSubject(subject: string | null): void {
    const problem = subject === null ? undefined : subjectProblem(subject);
    if (problem !== undefined) {
      throw invalidOption('session.setSubject', 'subject', typeof subject, problem);
    }
    this.#marks.subject = subject;
  }

  getSubject(): string | undefined {
    const { subject } = this.#marks;
    return subject === undefined ? this.#marks.readSubject : (subject ?? undefined);
  }

  async update<T extends SessionValues>(change: (session: SessionValues) => T): Promise<T> {
    const next = await this.#marks.update({ ...this } as SessionData, change);
    for (const key of Object.keys(this)) delete this[key];
    Object.assign(this, next);
    return next as T;
  }
}
