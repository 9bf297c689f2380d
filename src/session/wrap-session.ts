import { cookieValues } from '../cookies/parse.ts';
import { checkCookieAttrs, serializeCookie } from '../cookies/serialize.ts';
import { MAX_COOKIE_BYTES } from '../core/limits.ts';
import { describe, invalidOption, SessionkitError } from '../core/errors.ts';
import { consoleLogger } from '../core/logger.ts';
import { booleanOption, checkOptions, functionOption, loggerOption } from '../core/options.ts';
import { sessionDefaults } from './defaults.ts';
import { decodeSessionKey, encodeSessionKey } from './session-key.ts';
import { parseSessionJson, stringifySession } from './session-json.ts';
import type { SessionChange, SessionStore, StoredSession } from './store.ts';
import { subjectProblem } from './revocations.ts';
import { ownPart, paths, sessionCheck, withMiddlewareKeys } from './schema.ts';
import type { SessionCheck, SessionMigration } from './schema.ts';
import type { StandardSchemaV1 } from '../core/standard-schema.ts';
import type {
  CookieAttrs,
  JsonValue,
  Logger,
  Middleware,
  RequestMap,
  ResponseCookie,
  ResponseMap,
  SessionData,
  SessionShape,
} from '../core/types.ts';
import { writeCookies } from '../cookies/wrap-cookies.ts';
import { defaultHeader, privateSetCookie, withProperty } from '../core/headers.ts';
import { isNoResponse, isThenable, wrapHalves } from '../core/halves.ts';
import type { Early, Halves } from '../core/halves.ts';

/** Options of {@link wrapSession}. */
export interface SessionOptions {
  /** Where sessions live: `cookieStore(…)` (the default of `sessionOptionsFromEnv`), `memoryStore()`, … */
  store: SessionStore;
  /**
   * The session cookie's name. Names compare exactly (RFC 6265bis §5.7); the `__Host-`
   * prefix is recommended on HTTPS.
   * @default the store's `cookieName`, else `'session'`
   */
  cookieName?: string | undefined;
  /**
   * Session cookie attributes, merged over the defaults (Kit's effective attributes, but
   * `SameSite=Lax`, so that a link from another site does not arrive signed out):
   * `{ path: '/', httpOnly: true, maxAge: 86400, sameSite: 'lax' }`.
   */
  cookieAttrs?: CookieAttrs | undefined;
  /**
   * `Secure` on the session cookie: `true` always (production), `false` never, `'auto'` when
   * the request came over HTTPS (or through a proxy the host was told to trust).
   * @default 'auto'
   */
  secure?: boolean | 'auto' | undefined;
  /**
   * The response when the store fails (it cannot read, write or delete). The request is not
   * served with a session that was silently lost (a store outage is never a silent logout).
   * @default a 503 `Service Unavailable` text response
   */
  onStoreError?:
    ((error: unknown, request: RequestMap) => ResponseMap | Promise<ResponseMap>) | undefined;
  /**
   * Ring's `:set-cookies?`. `false` leaves the session cookie (the store key as its value,
   * with its attributes) and the handler's cookies in `response.cookies`, for a
   * `wrapCookies` outside this middleware to write: its `encode` then applies to the
   * session cookie too, and must be one that percent-decoding reverses (the default is).
   * @default true
   */
  setCookies?: boolean | undefined;
  /**
   * Where warnings and store errors go. Messages never contain cookie values.
   * @default console
   */
  logger?: Logger | undefined;
  /**
   * A Standard Schema v1 validator (zod, valibot, arktype, …) of the application's session
   * data; the session's type comes from it. Data read from the store that the schema refuses
   * is no session (unless `migrate` mends it); data the application writes that it refuses
   * throws `invalid_session`, naming the paths, before anything is stored. The request's
   * session is the schema's output; it must validate synchronously, and its output must be
   * data it accepts (JSON: no `Date`). Flash and the CSRF secret, kept in the session by
   * sessionkit, are not shown to it.
   */
  schema?: StandardSchemaV1<unknown, SessionData> | undefined;
  /**
   * With `schema`: turns stored data the schema refuses (say, written before it changed)
   * into a session it accepts, or `undefined` for no session. The result is checked again,
   * and written back by the request's response.
   */
  migrate?: SessionMigration | undefined;
}

/**
 * At most this many distinct values of the session's cookie are read from the store, the
 * **last** ones of the header (security case P-01). Browsers send the cookies with the
 * longest Path first and, among equal Paths, the oldest first (RFC 6265bis §5.8.3), so values
 * a sibling subdomain plants for longer paths come before our `Path=/` cookie, however many
 * there are; after it can only come `Path=/` cookies newer than ours, which a sibling can set
 * once per parent domain it shares with us. Garbage therefore cannot push the real cookie out
 * of the window, and a request of a thousand planted values costs 16 store reads, not a
 * thousand.
 */
const maxCandidates = 16;

/**
 * The last {@link maxCandidates} distinct non-empty keys, in header order, each decoded as
 * the store issued it (S-18): a value whose percent-escapes are malformed cannot be a key
 * we wrote, and is skipped.
 */
function candidatesOf(values: readonly string[]): string[] {
  const picked: string[] = [];
  for (let i = values.length - 1; i >= 0 && picked.length < maxCandidates; i--) {
    const value = decodeSessionKey(values[i]!);
    // P-16: an empty cookie is no session, never a store key; a repeated value is read once.
    if (value !== undefined && value !== '' && !picked.includes(value)) picked.push(value);
  }
  return picked.reverse();
}

/**
 * Ring's `wrap-session`. The request gets `session` (the stored data, or `{}`) and
 * `sessionKey`; the response's `session` is written (an object), deleted with its cookie
 * expired (`null`), or left alone (absent). `regenerateSession: true` moves the data to a
 * new key (login), `sessionCookieAttrs` sets cookie attributes for this response only.
 *
 * An anonymous request whose session is never written gets no cookie and no store write.
 * A session read while active is refreshed, throttled, so that its idle deadline slides.
 *
 * @example
 * const app = wrapSession({ store: cookieStore({ secrets: [process.env.COOKIE_SECRET!] }) })(
 *   (request) => ({ status: 200, body: 'hi', session: { ...request.session, visits: 1 } }),
 * );
 */
export function wrapSession<S extends SessionShape<S>, F = JsonValue>(
  options: SessionOptions & { schema: StandardSchemaV1<unknown, S> },
): Middleware<S, F>;
export function wrapSession<S extends SessionShape<S> = SessionData, F = JsonValue>(
  options: SessionOptions,
): Middleware<S, F>;
export function wrapSession(options: SessionOptions): Middleware {
  return wrapHalves(sessionHalves(options));
}

/**
 * `wrapSession`'s two halves, for a host adapter that cannot wrap a handler: `request` reads
 * the session (or answers 503 when the store cannot), `response` writes, deletes or touches
 * it and adds the session cookie.
 */
export function sessionHalves(options: SessionOptions): Halves {
  const settings = resolve(options);
  return {
    role: 'session',
    request: (request) => sessionRequest(settings, request),
    response: (response, request) => sessionResponse(settings, response, request),
    failed: (error, request) =>
      error instanceof StoreFailure ? storeFailure(settings, error, request) : undefined,
  };
}

interface Settings {
  readonly store: SessionStore;
  readonly name: string;
  readonly attrs: CookieAttrs;
  readonly secure: boolean | 'auto';
  /** `strict`, `lax` or `none`; no attribute counts as `lax`, as Chromium treats it. */
  readonly sameSite: string;
  /** `; Path=/; …` precomputed for the plain and the Secure cookie. */
  readonly suffix: string;
  readonly secureSuffix: string;
  readonly onStoreError: NonNullable<SessionOptions['onStoreError']>;
  /** Ring's `:set-cookies?`: false leaves the session cookie in `response.cookies`. */
  readonly setCookies: boolean;
  readonly logger: Logger;
  /** The `schema` and `migrate` options, when there is a schema. */
  readonly check: SessionCheck | undefined;
  warnedInsecure: boolean;
  warnedTossing: boolean;
  warnedInvalid: boolean;
}

const sessionOptionNames = [
  'store',
  'cookieName',
  'cookieAttrs',
  'secure',
  'onStoreError',
  'setCookies',
  'logger',
  'schema',
  'migrate',
] as const;

function resolve(options: SessionOptions): Settings {
  checkOptions('wrapSession', options, sessionOptionNames, {
    cookieAttributes: 'cookieAttrs',
    'cookie-attrs': 'cookieAttrs',
    'cookie-name': 'cookieName',
    'set-cookies?': 'setCookies',
  });
  const { store } = options;
  if (
    typeof store?.read !== 'function' ||
    typeof store.write !== 'function' ||
    typeof store.touch !== 'function' ||
    typeof store.delete !== 'function'
  ) {
    throw invalidOption(
      'wrapSession',
      'store',
      store === undefined ? undefined : 'an object without read, write, touch and delete',
      'a SessionStore such as cookieStore(…) or memoryStore()',
    );
  }
  const name = options.cookieName ?? store.cookieName ?? sessionDefaults.cookieName;
  if (store.cookieName !== undefined && store.cookieName !== name) {
    throw invalidOption(
      'wrapSession',
      'cookieName',
      name,
      `the name the store seals its values to (${JSON.stringify(store.cookieName)}); set the same cookieName on both`,
    );
  }
  if (
    options.cookieAttrs !== undefined &&
    (typeof options.cookieAttrs !== 'object' || options.cookieAttrs === null)
  ) {
    throw invalidOption(
      'wrapSession',
      'cookieAttrs',
      options.cookieAttrs,
      'an object of cookie attributes',
    );
  }
  if (options.cookieAttrs !== undefined) {
    checkCookieAttrs('wrapSession', 'cookieAttrs', options.cookieAttrs);
  }
  const attrs: CookieAttrs = { ...sessionDefaults.cookieAttrs, ...options.cookieAttrs };
  const prefixed = /^__(host|secure)-/i.test(name);
  const secure = prefixed ? true : (options.secure ?? attrs.secure ?? sessionDefaults.secure);
  if (secure !== true && secure !== false && secure !== 'auto') {
    throw invalidOption('wrapSession', 'secure', secure, "true, false or 'auto'");
  }
  // Serializing once here rejects bad attributes at start-up rather than on a request.
  const secureLine = secure === false ? '' : serializeCookie(name, 'x', { ...attrs, secure: true });
  const line = secure === true ? '' : serializeCookie(name, 'x', { ...attrs, secure: false });
  const logger = loggerOption('wrapSession', options.logger, consoleLogger);
  return {
    store,
    name,
    attrs,
    secure,
    sameSite: attrs.sameSite?.toLowerCase() ?? 'lax',
    suffix: line.slice(name.length + 2),
    secureSuffix: secureLine.slice(name.length + 2),
    onStoreError:
      functionOption<NonNullable<SessionOptions['onStoreError']>>(
        'wrapSession',
        'onStoreError',
        options.onStoreError,
      ) ??
      (() => ({
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' },
        body: 'Service Unavailable',
      })),
    setCookies: booleanOption('wrapSession', 'setCookies', options.setCookies, true),
    logger,
    check: sessionCheck('wrapSession', options.schema, options.migrate),
    warnedInsecure: false,
    warnedTossing: false,
    warnedInvalid: false,
  };
}

/** What the request half learnt, for the response half. */
interface State {
  /** The session as the store holds it, as far as this request knows. */
  stored: StoredSession | undefined;
  /** {@link updateSession} wrote `stored`. */
  updated: boolean;
  /** `migrate` mended the stored data: the response writes it back. */
  readonly migrated: boolean;
  /** The request carried a cookie of the session's name: a logout must expire it. */
  readonly hadCookie: boolean;
  /** The session cookie's SameSite, lower case, for {@link sessionCookieWithheld}. */
  readonly sameSite: string;
  readonly settings: Settings;
}

const state = Symbol('sessionkit.session');
type WithState = RequestMap & { [state]?: State };

/** A store operation that failed (the store is down), with the operation's name for the log. */
export class StoreFailure extends Error {
  constructor(
    readonly operation: 'read' | 'write' | 'delete' | 'touch',
    readonly error: unknown,
  ) {
    super(`the session store failed to ${operation}`, { cause: error });
  }
}

/**
 * A store call's result, its rejection marked as a store failure (503), except a
 * `SessionkitError`: data that cannot be stored (`unserializable_session`, `cookie_too_large`)
 * is a programming error, which the host answers with 500. A plain value passes as it is.
 */
function attempt<T>(operation: StoreFailure['operation'], work: T | Promise<T>): T | Promise<T> {
  return isThenable(work) ? attempted(operation, work) : work;
}

async function attempted<T>(operation: StoreFailure['operation'], work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw failure(operation, error);
  }
}

function failure(operation: StoreFailure['operation'], error: unknown): unknown {
  return error instanceof SessionkitError ? error : new StoreFailure(operation, error);
}

/** The store's write: `writeSync` when it has one (what it throws marked as {@link attempt} marks a rejection), else `write`. */
function storeWrite(
  store: SessionStore,
  key: string | undefined,
  data: SessionData,
  createdAt: number | undefined,
  subject: string | null | undefined,
): string | undefined | Promise<string | undefined> {
  if (store.writeSync === undefined) {
    return attempt('write', store.write(key, data, createdAt, subject));
  }
  try {
    return store.writeSync(key, data, createdAt, subject);
  } catch (error) {
    throw failure('write', error);
  }
}

/** The store's touch: `touchSync` when it has one, as {@link storeWrite}. */
function storeTouch(
  store: SessionStore,
  key: string,
): string | undefined | Promise<string | undefined> {
  if (store.touchSync === undefined) return attempt('touch', store.touch(key));
  try {
    return store.touchSync(key);
  } catch (error) {
    throw failure('touch', error);
  }
}

/** What the request half found: the session's key and what the store read under it. */
interface Found {
  key: string | undefined;
  stored: StoredSession | undefined;
  /** The request carried a cookie of the session's name. */
  readonly hadCookie: boolean;
}

/**
 * The request half. With a store that answers with plain values (the cookie store), it
 * answers synchronously: no promise, no microtask turn.
 */
function sessionRequest(settings: Settings, request: WithState): Early | Promise<Early> {
  const values = cookieValues(request.headers.cookie, settings.name);
  // The common case, one value with nothing to decode, costs no copy.
  const only = values.length === 1 ? values[0]! : '';
  const candidates = only !== '' && only.indexOf('%') === -1 ? values : candidatesOf(values);
  const found: Found = { key: undefined, stored: undefined, hadCookie: values.length > 0 };
  const { store } = settings;
  try {
    for (let i = 0; i < candidates.length; i++) {
      const read =
        store.readSync !== undefined ? store.readSync(candidates[i]!) : store.read(candidates[i]!);
      if (isThenable(read)) return readLater(settings, request, candidates, i, read, found);
      if (!take(settings, found, candidates[i]!, read)) break;
    }
  } catch (error) {
    return storeFailure(settings, new StoreFailure('read', error), request);
  }
  return opened(settings, request, found);
}

/** {@link sessionRequest} from the candidate whose read answered with a promise on. */
async function readLater(
  settings: Settings,
  request: WithState,
  candidates: readonly string[],
  from: number,
  pending: PromiseLike<StoredSession | undefined>,
  found: Found,
): Promise<Early> {
  try {
    let read = await pending;
    for (let i = from; take(settings, found, candidates[i]!, read) && ++i < candidates.length;) {
      read = await settings.store.read(candidates[i]!);
    }
  } catch (error) {
    return storeFailure(settings, new StoreFailure('read', error), request);
  }
  return opened(settings, request, found);
}

/** Takes what the store read under `candidate` into `found`; false when reading must stop. */
function take(
  settings: Settings,
  found: Found,
  candidate: string,
  read: StoredSession | undefined,
): boolean {
  if (read === undefined) {
    settings.logger.debug?.(`sessionkit: ignored an invalid or expired ${settings.name} cookie`);
  } else if (found.key === undefined) {
    found.key = candidate;
    found.stored = read;
  } else {
    // P-01: a second valid session is a cookie planted by a sibling subdomain (cookie
    // tossing) or left behind by a change of Path or Domain; neither can be told from the
    // header, so the request gets no session rather than perhaps the attacker's.
    tossed(settings);
    found.key = undefined;
    found.stored = undefined;
    return false;
  }
  return true;
}

/** The request half's end: the session found, checked by the schema, put on the request. */
function opened(settings: Settings, request: WithState, found: Found): Early | Promise<Early> {
  const { check } = settings;
  const { key, stored, hadCookie } = found;
  if (check === undefined || stored === undefined) {
    return provide(settings, request, key, stored, false, hadCookie);
  }
  const result = checked(settings, check, stored.data);
  return isThenable(result)
    ? result.then((checkedResult) => provideChecked(settings, request, found, checkedResult))
    : provideChecked(settings, request, found, result);
}

/** {@link provide} for a session the schema checked: refused (undefined) is no session. */
function provideChecked(
  settings: Settings,
  request: WithState,
  { key, stored, hadCookie }: Found,
  result: Checked,
): undefined {
  return result === undefined
    ? provide(settings, request, undefined, undefined, false, hadCookie)
    : provide(
        settings,
        request,
        key,
        { ...stored!, data: result.session },
        result.migrated,
        hadCookie,
      );
}

/** Puts the session on the request and keeps what the response half needs. */
function provide(
  settings: Settings,
  request: WithState,
  key: string | undefined,
  stored: StoredSession | undefined,
  migrated: boolean,
  hadCookie: boolean,
): undefined {
  request.session = stored?.data ?? {};
  request.sessionKey = key;
  request.sessionSubject = stored?.subject;
  request[state] = {
    stored,
    updated: false,
    migrated,
    hadCookie,
    sameSite: settings.sameSite,
    settings,
  };
  return undefined;
}

/**
 * Stored data as the schema gives it, mended by `migrate` when the schema refuses it; or
 * undefined (no session) when it stays refused, with a warning naming the paths (never the
 * values).
 */
function checked(
  settings: Settings,
  check: SessionCheck,
  data: SessionData,
): Checked | Promise<Checked> {
  const result = check.read(data);
  if (!Array.isArray(result)) return { session: result as SessionData, migrated: false };
  return mend(settings, check, data, result as Parameters<SessionMigration>[1]);
}

type Checked = { session: SessionData; migrated: boolean } | undefined;

/** {@link checked} for data the schema refused: `migrate`'s turn, or a warning. */
async function mend(
  settings: Settings,
  check: SessionCheck,
  data: SessionData,
  refused: Parameters<SessionMigration>[1],
): Promise<Checked> {
  let result;
  let issues = refused;
  if (check.migrate !== undefined) {
    const fixed = await check.migrate(ownPart(data), issues);
    if (fixed !== undefined) {
      if (typeof fixed !== 'object' || fixed === null || Array.isArray(fixed)) {
        throw new SessionkitError(
          'invalid_session',
          `wrapSession: migrate returned ${describe(fixed)}, expected a session object or undefined`,
        );
      }
      // The flash and the CSRF secret, which migrate never saw, stay as stored.
      result = check.read(withMiddlewareKeys(fixed, data));
      if (!Array.isArray(result)) return { session: result as SessionData, migrated: true };
      issues = result as Parameters<SessionMigration>[1];
    }
  }
  const message = `sessionkit: a stored session does not match the schema, at ${paths(issues)}; the request is served without a session`;
  if (settings.warnedInvalid) settings.logger.debug?.(message);
  else {
    settings.warnedInvalid = true;
    settings.logger.warn(
      `${message} (logged once). ${check.migrate === undefined ? 'Give wrapSession a migrate function to mend sessions written before the schema changed' : 'migrate did not mend it'}`,
    );
  }
  return undefined;
}

/**
 * True when this request came without the session cookie because the browser withheld it:
 * it came from another site (`Sec-Fetch-Site: cross-site`) and the cookie's SameSite keeps it
 * from such a request (`Strict` always; `Lax` unless it is a top-level navigation with a safe
 * method: RFC 6265bis §5.2, §5.8.3; Fetch Metadata tells navigations and frames apart). The user may then be signed in all the same, and a
 * `Set-Cookie` for a new session would replace theirs: a browser stores a cookie a top-level
 * navigation sets, even one that arrived from another site (security case L-16). False when
 * `wrapSession` did not see the request.
 */
export function sessionCookieWithheld(request: RequestMap): boolean {
  const seen = (request as WithState)[state];
  if (seen === undefined || seen.hadCookie) return false;
  if (request.headers['sec-fetch-site'] !== 'cross-site') return false;
  if (seen.sameSite === 'strict') return true;
  if (seen.sameSite !== 'lax') return false;
  const method = request.method;
  const dest = request.headers['sec-fetch-dest'];
  const navigation =
    request.headers['sec-fetch-mode'] === 'navigate' && (dest === undefined || dest === 'document');
  return !(navigation && (method === 'GET' || method === 'HEAD' || method === 'OPTIONS'));
}

/**
 * Changes the session atomically, now, and resolves to the new session: for counters and
 * anything else computed from the value before it. `change` gets the session as the store
 * holds it at the moment of the write and returns the new one; with a store that writes
 * conditionally (`memoryStore`, `redisStore`) no other request's write lands in between, so
 * 100 concurrent increments give 100. `change` may run more than once: it must not have
 * side effects.
 *
 * Return the result as the response's `session` (as with any change): then nothing is
 * written twice, and with a store that cannot write conditionally (`cookieStore`: the
 * browser keeps whichever `Set-Cookie` arrives last) it is that write which stores it. A
 * request without a session gets `change({})`, stored by the response as a new session.
 * When the session ended meanwhile (a logout in another tab), nothing is written and it
 * stays ended: the result is `change({})`, which the response cannot store under the ended key.
 *
 * When the store fails, the rejection, left to propagate out of the handler, becomes
 * `onStoreError`'s response (503), as a failed read or write does.
 *
 * @example
 * on('POST', '/cart/add', async (request) => {
 *   const session = await updateSession(request, (s) => ({ ...s, items: [...(s.items ?? []), id] }));
 *   return { status: 200, body: 'added', session };
 * });
 * @throws {SessionkitError} `missing_middleware` when `wrapSession` did not run for `request`.
 */
export async function updateSession<S extends SessionShape<S> = SessionData, T extends S = S>(
  request: RequestMap<S>,
  change: (session: S) => T,
): Promise<T> {
  const seen = (request as WithState)[state];
  if (seen === undefined) {
    throw new SessionkitError(
      'missing_middleware',
      'updateSession: wrapSession has not run for this request: apply it around the handler, as in compose(wrapCookies(), wrapSession(), wrapFlash(), wrapCsrf())(routes), or use wrapDefaults()',
    );
  }
  const { store, check } = seen.settings;
  // The schema refuses a result before it is stored or handed back (invalid_session).
  const changed = (session: S): T => {
    const next = synchronous(change(session));
    check?.write(next as unknown as SessionData, 'updateSession');
    return next;
  };
  const key = request.sessionKey;
  const read = seen.stored;
  if (key === undefined || read?.json === undefined || store.update === undefined) {
    const next = changed((request.session ?? {}) as S);
    request.session = next;
    return next;
  }
  let next: T | undefined;
  let stored: SessionData | undefined;
  // What this request read is what the store holds, unless another request wrote meanwhile:
  // a store that can check that in its write (Redis) then needs no read first.
  const update = store.update.bind(store);
  let written: { key: string; json: string } | undefined;
  try {
    written = await attemptUpdate(
      update,
      key,
      (current) => {
        // The session as this request knows it is the one the schema checked (and migrate
        // mended); one another request wrote meanwhile is checked here.
        const known = seen.stored;
        let session: SessionData;
        if (known !== undefined && current.json === known.json) session = known.data;
        else {
          const result = check === undefined ? current.data : check.read(current.data);
          if (Array.isArray(result)) throw refusedMeanwhile; // V-01: no session, never the change's
          session = result as SessionData;
        }
        // `change` sees the application's data only (as the request does), and the flash and
        // the CSRF secret stored now are kept.
        next = changed(ownPart(session) as S);
        stored = withMiddlewareKeys(next as unknown as SessionData, current.data);
        return stored;
      },
      read,
    );
  } catch (error) {
    if (error !== refusedMeanwhile) throw error;
    written = undefined; // as a session ended meanwhile; the response writes a new one
  }
  if (written === undefined || next === undefined || stored === undefined) {
    // ended meanwhile; the response's write of this key cannot bring it back.
    seen.stored = undefined;
    next = changed({} as S);
  } else {
    seen.stored = { ...read, data: stored, json: written.json };
    seen.updated = true;
  }
  request.session = next;
  return next;
}

/** Thrown within a store's update when another request stored data the schema refuses. */
const refusedMeanwhile = new Error('sessionkit: the session stored meanwhile is refused');

/** `updateSession`'s `change` result, refused when it is a promise: a store would write it as `{}`. */
function synchronous<T>(result: T): T {
  if (isThenable(result)) {
    throw new TypeError(
      'updateSession: change returned a promise; it must return the new session itself (no async function)',
    );
  }
  return result;
}

/**
 * A store's update, its rejection marked as {@link attempt} marks it, except what `change`
 * threw (the application's error, or a merge's): that goes on as it is, not as a store failure.
 */
async function attemptUpdate(
  update: NonNullable<SessionStore['update']>,
  key: string,
  change: SessionChange,
  known?: StoredSession,
): Promise<{ key: string; json: string } | undefined> {
  let thrown: { error: unknown } | undefined;
  const guarded = (current: StoredSession): SessionData => {
    try {
      return change(current);
    } catch (error) {
      thrown = { error };
      throw error;
    }
  };
  try {
    return await update(key, guarded, known);
  } catch (error) {
    if (thrown !== undefined && error === thrown.error) throw error;
    throw error instanceof SessionkitError ? error : new StoreFailure('write', error);
  }
}

function tossed(settings: Settings): void {
  const message = `sessionkit: a request carried more than one valid session cookie named ${settings.name}; it is served without a session`;
  if (settings.warnedTossing) {
    settings.logger.debug?.(message);
    return;
  }
  settings.warnedTossing = true;
  settings.logger.warn(
    `${message} (logged once). Another subdomain may have set one (cookie tossing), or the cookie's Path or Domain changed; the __Host- prefix on the cookie name prevents both`,
  );
}

/**
 * The response half. With a store that answers with plain values (the cookie store), or a
 * response that needs no store call (a read), it answers synchronously.
 */
function sessionResponse(
  settings: Settings,
  response: ResponseMap,
  request: WithState,
): ResponseMap | Promise<ResponseMap> {
  if (isNoResponse(response)) return response; // Ring's nil passes through: no write, no cookie
  if (typeof response !== 'object') {
    throw new TypeError(`wrapSession: the handler returned ${String(response)}, not a response`);
  }
  let value;
  try {
    value = save(settings, response, request);
  } catch (error) {
    return saveFailed(settings, error, request);
  }
  return isThenable(value)
    ? respondLater(settings, request, response, value)
    : respond(settings, request, response, value);
}

/** A store that failed to save: `onStoreError`'s response. Anything else goes on (the host's 500). */
function saveFailed(settings: Settings, error: unknown, request: RequestMap): Promise<ResponseMap> {
  if (!(error instanceof StoreFailure)) throw error; // a programming error: the host's 500
  return storeFailure(settings, error, request);
}

async function respondLater(
  settings: Settings,
  request: RequestMap,
  response: ResponseMap,
  pending: Promise<string | undefined>,
): Promise<ResponseMap> {
  let value: string | undefined;
  try {
    value = await pending;
  } catch (error) {
    return saveFailed(settings, error, request);
  }
  return respond(settings, request, response, value);
}

/**
 * The store half: writes, deletes or touches; gives the session cookie's new value ('' expires
 * it), synchronously when the store answers with a plain value or is not called.
 */
function save(
  settings: Settings,
  response: ResponseMap,
  request: WithState,
): string | undefined | Promise<string | undefined> {
  const { session, regenerateSession, sessionCookieAttrs, sessionSubject } = response;
  if (sessionSubject !== undefined && sessionSubject !== null) {
    checkSubject(settings, sessionSubject);
  }
  if (sessionCookieAttrs !== undefined) {
    checkCookieAttrs('wrapSession', 'response.sessionCookieAttrs', sessionCookieAttrs);
  }
  if (sessionCookieAttrs?.domain !== undefined || sessionCookieAttrs?.path !== undefined) {
    // A cookie with another Domain or Path is another cookie: logout could not expire it.
    throw invalidOption(
      'wrapSession',
      'response.sessionCookieAttrs',
      'domain or path',
      'attributes other than domain and path, which belong in cookieAttrs',
    );
  }
  const { store, check } = settings;
  const key = request.sessionKey;
  const { stored, hadCookie, updated, migrated } = request[state] ?? {
    stored: undefined,
    hadCookie: false,
    updated: false,
    migrated: false,
  };
  if (check !== undefined && session !== undefined && session !== null) {
    check.write(session, 'wrapSession');
  }
  if (regenerateSession === true && session !== null) {
    // L-04: the old key is deleted (a cookie store with revocations revokes it); the subject
    // moves to the new key unless the response names another.
    const data = session ?? request.session ?? {};
    if (session === undefined) check?.write(data, 'wrapSession');
    const subject = sessionSubject !== undefined ? sessionSubject : (stored?.subject ?? null);
    return regenerate(settings, key, data, subject, sessionCookieAttrs);
  }
  if (session === null) {
    const value = hadCookie ? '' : undefined;
    if (key === undefined) return value;
    return ended(settings, key, value, sessionCookieAttrs);
  }
  const stale = stored?.stale === true;
  if (session !== undefined || sessionSubject !== undefined || migrated) {
    // A subject alone rewrites the session as it was read, with the subject; a session that
    // migrate mended is written back.
    const data = session ?? stored?.data ?? {};
    // update keeps the subject read: a response that names one writes it.
    const update = sessionSubject === undefined ? store.update?.bind(store) : undefined;
    const written =
      key !== undefined && stored?.json !== undefined && update !== undefined
        ? writeChanges(update, key, stored, data, updated, check)
        : storeWrite(store, key, data, stored?.createdAt, sessionSubject);
    return isThenable(written)
      ? newValueLater(settings, key, stale, sessionCookieAttrs, written)
      : newValue(settings, key, stale, sessionCookieAttrs, written);
  }
  if (stale && key !== undefined) {
    const touched = storeTouch(store, key);
    return isThenable(touched)
      ? newValueLater(settings, key, true, sessionCookieAttrs, touched)
      : newValue(settings, key, true, sessionCookieAttrs, touched);
  }
  return cookieValue(settings, key, sessionCookieAttrs, undefined);
}

/** L-04's store calls: the old key deleted, then the data written under a new one. */
async function regenerate(
  settings: Settings,
  key: string | undefined,
  data: SessionData,
  subject: string | null,
  attrs: CookieAttrs | undefined,
): Promise<string | undefined> {
  const { store } = settings;
  if (key !== undefined) await attempt('delete', store.delete(key));
  const written = await storeWrite(store, undefined, data, undefined, subject);
  return cookieValue(settings, key, attrs, checkKey(settings, written));
}

/** Logout's store call: the session deleted; `value` expires the cookie, or is undefined. */
async function ended(
  settings: Settings,
  key: string,
  value: string | undefined,
  attrs: CookieAttrs | undefined,
): Promise<string | undefined> {
  await attempt('delete', settings.store.delete(key));
  return cookieValue(settings, key, attrs, value);
}

/**
 * The cookie's value once the store wrote or touched the session under `key` and gave
 * `written`: a key to send when it changed or the session was stale (a touch), else none.
 */
function newValue(
  settings: Settings,
  key: string | undefined,
  stale: boolean,
  attrs: CookieAttrs | undefined,
  written: string | undefined,
): string | undefined {
  const value = written !== key || stale ? checkKey(settings, written) : undefined;
  return cookieValue(settings, key, attrs, value);
}

async function newValueLater(
  settings: Settings,
  key: string | undefined,
  stale: boolean,
  attrs: CookieAttrs | undefined,
  pending: Promise<string | undefined>,
): Promise<string | undefined> {
  return newValue(settings, key, stale, attrs, await pending);
}

/** `value`, or with `sessionCookieAttrs` the unchanged key: the cookie is sent again with them. */
function cookieValue(
  settings: Settings,
  key: string | undefined,
  attrs: CookieAttrs | undefined,
  value: string | undefined,
): string | undefined {
  return value === undefined && attrs !== undefined && key !== undefined
    ? checkKey(settings, key)
    : value;
}

/**
 * Writes the handler's `data` over a session read as `read`, conditionally (a store with
 * `update`): when another request wrote the session meanwhile, the top-level keys this
 * handler changed, added or removed are applied to what that request wrote, and the others
 * keep their new values; when the schema refuses that merge, the handler's whole session is
 * written. Resolves to the key, or undefined when the session is gone.
 */
async function writeChanges(
  update: NonNullable<SessionStore['update']>,
  key: string,
  read: StoredSession,
  data: SessionData,
  updated: boolean,
  check: SessionCheck | undefined,
): Promise<string | undefined> {
  // The common end of updateSession: the response returns the session it wrote.
  if (updated && stringifySession(data) === read.json) return key;
  const change = (current: StoredSession): SessionData => {
    if (current.json === read.json) return data;
    const merged = mergeChanges(read.json!, data, current.data);
    // Keys that are each valid may make a whole the schema refuses: the handler's wins.
    return check === undefined || check.valid(merged) ? merged : data;
  };
  const written = await attemptUpdate(update, key, change, read);
  return written?.key;
}

/**
 * `next` (what a handler wrote, from the session whose JSON was `before`) applied to
 * `current` (what the store holds now): the keys whose JSON differs from `before`, new keys
 * and removed keys. A key both changed is the handler's, whole: the last write of a key wins
 * and a value is never a mix of two writes.
 */
export function mergeChanges(before: string, next: SessionData, current: SessionData): SessionData {
  const base = parseSessionJson(before) as SessionData;
  const merged: SessionData = { ...current };
  for (const name of Object.keys(next)) {
    const value = next[name];
    if (name === '__proto__') continue; // C-13: never a prototype, as parsing drops it
    // Own keys only (a key named `toString` is data); undefined is absent, as in the JSON.
    const was = Object.hasOwn(base, name) ? base[name] : undefined;
    if (JSON.stringify(value) !== JSON.stringify(was)) merged[name] = value;
  }
  for (const name of Object.keys(base)) if (!Object.hasOwn(next, name)) delete merged[name];
  return merged;
}

/** A response's `sessionSubject` string: refused where the store would drop it, or malformed. */
function checkSubject(settings: Settings, subject: unknown): void {
  if (settings.store.subjects !== true) {
    throw invalidOption(
      'wrapSession',
      'response.sessionSubject',
      'a subject',
      'none with a store that keeps no subject (cookieStore keeps subjects; a server-side store ends sessions by deleting them)',
    );
  }
  const problem = subjectProblem(subject);
  if (problem !== undefined) {
    throw invalidOption('wrapSession', 'response.sessionSubject', typeof subject, problem);
  }
}

/**
 * S-18: the session cookie's value for a store key, whatever the store: the key
 * percent-encoded where it is not made of RFC 3986 unreserved characters (a no-op, and no
 * copy, for base64url keys), and within a cookie's size. With `setCookies: false` the key
 * itself, for the outer `wrapCookies` to encode. A key that is not a non-empty string is a
 * store bug.
 */
function checkKey(settings: Settings, key: string | undefined): string | undefined {
  if (key === undefined) return undefined; // the session is gone; no cookie
  if (typeof key !== 'string' || key === '') {
    throw new SessionkitError(
      'invalid_cookie',
      `wrapSession: the store key is invalid: got ${describe(key)}, expected a non-empty string`,
    );
  }
  const wire = encodeSessionKey(key);
  if (settings.name.length + 1 + wire.length > MAX_COOKIE_BYTES) {
    throw new SessionkitError(
      'cookie_too_large',
      `wrapSession: the store key is ${wire.length} bytes in the cookie, so the session cookie would be over the ${MAX_COOKIE_BYTES}-byte limit of a cookie; store less in the session or use a server-side store`,
    );
  }
  return settings.setCookies ? wire : key;
}

/** The response half: the handler's response without the session keys, plus the session cookie. */
function respond(
  settings: Settings,
  request: RequestMap,
  response: ResponseMap,
  value: string | undefined,
): ResponseMap {
  const { session, regenerateSession, sessionCookieAttrs, sessionSubject } = response;
  let out: ResponseMap = response;
  if (
    session !== undefined ||
    regenerateSession !== undefined ||
    sessionCookieAttrs !== undefined ||
    sessionSubject !== undefined
  ) {
    const {
      session: _s,
      regenerateSession: _r,
      sessionCookieAttrs: _a,
      sessionSubject: _j,
      ...rest
    } = response;
    out = rest;
  }
  if (session === null) {
    // Logout: nothing of the ended session may be served from a cache (security case L-15).
    out = withProperty(out, 'headers', defaultHeader(out.headers, 'cache-control', 'no-store'));
  }
  if (!settings.setCookies) {
    // Ring's :set-cookies? false: everything stays in response.cookies for an outer
    // wrapCookies, the session cookie replacing a handler cookie of its name.
    if (value === undefined) return out;
    const cookie = sessionCookieEntry(settings, request, value, sessionCookieAttrs);
    return withProperty(out, 'cookies', { ...out.cookies, [settings.name]: cookie });
  }
  if (value === undefined) return out.cookies === undefined ? out : writeCookies(out);
  if (out.cookies !== undefined && settings.name in out.cookies) {
    const { [settings.name]: _replaced, ...others } = out.cookies;
    out = { ...out, cookies: others };
  }
  if (out.cookies !== undefined) out = writeCookies(out);
  const line = sessionCookie(settings, request, value, sessionCookieAttrs);
  // L-17: a response that sets the session cookie is this browser's only; no shared cache may
  // keep it (OWASP SM "Web Content Caching"). A logout's no-store is stricter and stays.
  return withProperty(out, 'headers', privateSetCookie(out.headers, [line]));
}

/** Whether this response's session cookie is Secure; warns once when that cannot work. */
function secureFor(settings: Settings, request: RequestMap): boolean {
  const secure = settings.secure === 'auto' ? request.scheme === 'https' : settings.secure;
  if (secure && request.scheme === 'http' && !settings.warnedInsecure) {
    settings.warnedInsecure = true;
    settings.logger.warn(
      'sessionkit: a Secure session cookie was set on a plain-HTTP request; browsers other than on localhost ignore it. Serve over HTTPS, or set trustProxy on the host when a TLS proxy sits in front',
    );
  }
  return secure;
}

/**
 * The session cookie for `response.cookies` (`setCookies: false`): the store key as its
 * value, which the outer wrapCookies encodes; `''` expires it.
 */
function sessionCookieEntry(
  settings: Settings,
  request: RequestMap,
  value: string,
  extra: CookieAttrs | undefined,
): ResponseCookie {
  const secure = secureFor(settings, request);
  return value === ''
    ? { ...settings.attrs, ...extra, secure, maxAge: 0, value }
    : { ...settings.attrs, ...extra, secure, value };
}

/** The session cookie's Set-Cookie line for its value as {@link checkKey} gave it; `''` expires it. */
function sessionCookie(
  settings: Settings,
  request: RequestMap,
  value: string,
  extra: CookieAttrs | undefined,
): string {
  const secure = secureFor(settings, request);
  if (value === '') {
    // Expire with the Path and Domain it was set with (RFC 6265bis §5.7 step 23).
    return serializeCookie(settings.name, '', {
      ...settings.attrs,
      ...extra,
      secure,
      maxAge: 0,
    });
  }
  if (extra === undefined)
    return `${settings.name}=${value}${secure ? settings.secureSuffix : settings.suffix}`;
  // The attributes are checked by the serializer; the value, encoded already, goes in as it
  // is, exactly as on the line above (S-18).
  const line = serializeCookie(settings.name, 'x', { ...settings.attrs, ...extra, secure });
  return `${settings.name}=${value}${line.slice(settings.name.length + 2)}`;
}

async function storeFailure(
  settings: Settings,
  failure: StoreFailure,
  request: RequestMap,
): Promise<ResponseMap> {
  settings.logger.error(`sessionkit: ${failure.message}`, failure.error);
  return settings.onStoreError(failure.error, request);
}
