/** A value JSON represents faithfully: what a session (and a flash) may hold. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue | undefined };

/**
 * Session data when the application does not name its own type: a JSON object. A property
 * whose value is `undefined` is dropped when stored, as `JSON.stringify` drops it.
 */
export type SessionData = { [key: string]: JsonValue | undefined };

/** What JSON cannot represent: such a property makes a session type a compile error. */
type NotJson =
  | bigint
  | symbol
  | Date
  | RegExp
  | Map<unknown, unknown>
  | Set<unknown>
  | WeakMap<object, unknown>
  | WeakSet<object>
  | Promise<unknown>
  | ArrayBuffer
  | ArrayBufferView
  | ((...args: never[]) => unknown);

/** `T` where JSON can represent it, `never` where it cannot (`unknown` is let through). */
export type JsonShape<T> = unknown extends T
  ? T
  : T extends JsonValue | undefined
    ? T
    : T extends NotJson
      ? never
      : T extends readonly unknown[]
        ? { [I in keyof T]: JsonShape<T[I]> }
        : T extends object
          ? { [K in keyof T]: JsonShape<T[K]> }
          : never;

/**
 * The constraint on an application's session type: every property JSON-shaped. Interfaces
 * and type aliases both work; a `Date`, `Map`, `BigInt` or function property is a compile
 * error (store an ISO string, an object, a string or nothing instead).
 *
 * @example
 * interface MySession { user?: string; roles?: string[] }
 * const routes: Handler<MySession> = (request) => text(request.session?.user ?? 'stranger');
 */
export type SessionShape<S> = { [K in keyof S]: JsonShape<S[K]> };

/** Form fields from an urlencoded or multipart body. A repeated field becomes an array. */
export type FormFields = Record<string, string | string[]>;

/** A request cookie in Ring's shape: `{ username: { value: 'Bob' } }`. */
export interface RequestCookie {
  value: string;
}

/** `SameSite` values; any case is accepted and written canonically (`Strict`, `Lax`, `None`). */
export type SameSite = 'strict' | 'lax' | 'none' | 'Strict' | 'Lax' | 'None';

/** `Priority` values (Chromium); any case is accepted and written canonically. */
export type CookiePriority = 'low' | 'medium' | 'high' | 'Low' | 'Medium' | 'High';

/** The attributes of a Set-Cookie header (RFC 6265bis §5.6, CHIPS, Chromium's Priority). */
export interface CookieAttrs {
  domain?: string | undefined;
  path?: string | undefined;
  secure?: boolean | undefined;
  httpOnly?: boolean | undefined;
  /** Seconds, an integer from 0 to 34 560 000 (400 days). */
  maxAge?: number | undefined;
  expires?: Date | undefined;
  sameSite?: SameSite | undefined;
  partitioned?: boolean | undefined;
  priority?: CookiePriority | undefined;
}

/** A cookie to set: its value plus attributes. */
export interface ResponseCookie extends CookieAttrs {
  value: string;
}

/** Request headers, names in lower case, as node:http gives them. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** Response headers; an array value becomes one header line per element (Set-Cookie). */
export type ResponseHeaders = Record<string, string | number | readonly string[]>;

/**
 * A request, Ring's request map typed. Hosts fill the first group; middleware adds the rest.
 * `Session` is the application's session data type.
 */
export interface RequestMap<
  Session extends SessionShape<Session> = SessionData,
  Flash = JsonValue,
> {
  /** Upper-case method, e.g. `GET`. */
  method: string;
  /** The path, percent-encoded as received, without the query string. */
  path: string;
  /** The query string parameters. */
  query: URLSearchParams;
  headers: RequestHeaders;
  /** `https` when the connection was TLS, or a trusted proxy said so. */
  scheme: 'http' | 'https';
  /** The client address as the host saw it. */
  remoteAddress?: string | undefined;
  /** Path parameters, filled by a router. */
  params?: Record<string, string> | undefined;
  /** Fields of an `application/x-www-form-urlencoded` or `multipart/form-data` body. */
  form?: FormFields | undefined;
  /** A parsed JSON body, or the raw bytes of a body of any other type. */
  body?: unknown;

  /** Set by `wrapCookies`: the request cookies, first of duplicates wins. */
  cookies?: Record<string, RequestCookie> | undefined;
  /** Set by `wrapSession`: the session data, `{}` when there is none. */
  session?: Session | undefined;
  /** Set by `wrapSession`: the store key of the current session, when there is one. */
  sessionKey?: string | undefined;
  /**
   * Set by `wrapSession`: the subject attached to the current session with the response's
   * `sessionSubject` (such as the user id), when there is one. Not part of `session`.
   */
  sessionSubject?: string | undefined;
  /** Set by `wrapFlash`: the flash value the previous response set, if any. */
  flash?: Flash | undefined;
  /** Set by `wrapCsrf`: a masked anti-forgery token to put in this response's forms. */
  csrfToken?: string | undefined;
}

/**
 * A response, Ring's response map typed. `session`, `flash` and `cookies` are read and
 * removed by the middleware that owns them.
 */
export interface ResponseMap<
  Session extends SessionShape<Session> = SessionData,
  Flash = JsonValue,
> {
  status: number;
  headers?: ResponseHeaders | undefined;
  /**
   * A string, bytes, or a stream of bytes: anything async-iterable over `Uint8Array` chunks,
   * such as a node `Readable` or a Fetch `ReadableStream`.
   */
  body?: string | Uint8Array | AsyncIterable<Uint8Array> | null | undefined;
  /** Cookies to set, one Set-Cookie header each. A string is a value with no attributes. */
  cookies?: Record<string, string | ResponseCookie> | undefined;
  /**
   * Absent: the session is unchanged. An object: it becomes the session. `null`: the session
   * is deleted in the store and its cookie expired.
   */
  session?: Session | null | undefined;
  /**
   * Ring's `:recreate`: store `session` (or the current data) under a new key and drop the
   * old one. Use it on login and on any privilege change (session fixation, OWASP SM).
   */
  regenerateSession?: boolean | undefined;
  /** Session cookie attributes for this response only, e.g. a "remember me" `maxAge`. */
  sessionCookieAttrs?: CookieAttrs | undefined;
  /**
   * Attaches a subject to the session, such as the signed-in user's id, kept beside the data
   * (handlers see it as `request.sessionSubject`, never in `session`), so that
   * `revocations.revokeSubject(subject)` can end every session of that user. Set it at login,
   * with `regenerateSession: true`; it then stays with the session. `null` removes it. Needs a
   * store that keeps subjects (`cookieStore`); another store refuses a string here.
   */
  sessionSubject?: string | null | undefined;
  /** A value the next request sees as `request.flash` (`null`, `false` and `undefined` set none). */
  flash?: Flash | null | false | undefined;
}

/**
 * What a handler gives back: a response, or nothing (`undefined` or `null`, Ring's `nil`) when
 * the request is not its own, so that a router can try the next route. Every middleware
 * passes nothing through untouched; a host answers it with 404.
 */
export type HandlerResult<Session extends SessionShape<Session> = SessionData, Flash = JsonValue> =
  ResponseMap<Session, Flash> | undefined | null;

/** A request map to a response map (or nothing), synchronously or not. */
export type Handler<Session extends SessionShape<Session> = SessionData, Flash = JsonValue> = (
  request: RequestMap<Session, Flash>,
) => HandlerResult<Session, Flash> | Promise<HandlerResult<Session, Flash>>;

/** Wraps a handler in behaviour: handler to handler. */
export type Middleware<Session extends SessionShape<Session> = SessionData, Flash = JsonValue> = (
  handler: Handler<Session, Flash>,
) => Handler<Session, Flash>;

/** Where sessionkit reports what it noticed. Messages never contain secrets or cookie values. */
export interface Logger {
  debug?(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}
