/**
 * The core of the framework adapters (Express, Fastify, Hono), which cannot wrap a
 * sessionkit handler: their framework calls the application. Each adapter builds a
 * `RequestMap` from its request, calls {@link Adapter.open} and {@link Adapter.check} (the
 * request halves), hands the {@link Exchange} to the application in its idiom, and before
 * its framework sends the headers calls {@link Adapter.commit} (the response halves) and
 * copies the headers it gives back. See docs/decisions/0016-framework-adapters.md.
 */
import { composeHalves, isThenable, rejection } from '../core/halves.ts';
import type { Early, Halves } from '../core/halves.ts';
import { consoleLogger } from '../core/logger.ts';
import type {
  FormFields,
  JsonValue,
  Logger,
  RequestMap,
  ResponseHeaders,
  ResponseMap,
  SessionData,
} from '../core/types.ts';
import { cookieHalves } from '../cookies/wrap-cookies.ts';
import { flashHalves } from '../session/flash.ts';
import { middlewareKeys } from '../session/schema.ts';
import { sessionHalves, StoreFailure, updateSession } from '../session/wrap-session.ts';
import { csrfHalves, csrfInput } from '../csrf/wrap-csrf.ts';
import { invalidOption } from '../core/errors.ts';
import { checkOptions } from '../core/options.ts';
import { sessionOptionsFromEnv } from '../config/env.ts';
import type { DefaultsOptions } from '../config/wrap.ts';
import { SessionObject } from './session-object.ts';
import type { SessionMarks, SessionValues } from './session-object.ts';

/**
 * Options of the framework adapters: {@link wrapDefaults}' (each middleware's own options,
 * the session's configured from the environment when absent), plus the adapter's own.
 */
export type AdapterOptions = DefaultsOptions;

/** The option names every adapter knows; an adapter adds its own. */
export const adapterOptionNames: readonly string[] = ['session', 'cookies', 'csrf'];

/**
 * A response the halves give back instead of the skeleton (a store that failed on write
 * answers `onStoreError`'s response). The skeleton carries this exact body, which no half
 * replaces, so its absence means "replaced".
 */
const skeletonBody = new Uint8Array(0);

/** What the response halves made of a skeleton. */
export type Commit =
  | { readonly replaced: false; readonly headers: ResponseHeaders }
  | { readonly replaced: true; readonly response: ResponseMap };

/** The halves around one framework, built once from resolved options. */
export class Adapter {
  readonly logger: Logger;
  /** Cookies, session, flash: what can run before the body is parsed. */
  readonly #outer: Halves;
  readonly #csrf: Halves | undefined;

  /**
   * @param what the adapter's name, for error messages
   * @param known the option names it accepts ({@link adapterOptionNames} and its own)
   * @throws {SessionkitError} `invalid_option` for an invalid or unknown option, and
   *   `insecure_secret` when the session comes from an environment without a usable secret
   *   in production.
   */
  constructor(what: string, options: AdapterOptions | undefined, known: readonly string[]) {
    const given = checkOptions(what, options, known) as AdapterOptions;
    const session = given.session ?? sessionOptionsFromEnv();
    this.#outer = composeHalves(cookieHalves(given.cookies), sessionHalves(session), flashHalves());
    // The session's logger (checked by sessionHalves) hears the adapter's warnings too.
    this.logger = session.logger ?? consoleLogger;
    const { csrf } = given;
    if (csrf !== undefined && csrf !== false && (typeof csrf !== 'object' || csrf === null)) {
      throw invalidOption(what, 'csrf', csrf, "wrapCsrf's options, or false to leave it out");
    }
    this.#csrf = csrf === false ? undefined : csrfHalves(csrf);
  }

  /**
   * The cookie, session and flash request halves: the exchange to hand to the application,
   * or a response to send at once (a store that cannot read: `onStoreError`'s 503). Answers
   * synchronously when the halves do (the cookie store), else with a promise; never throws:
   * what the halves throw, it rejects with.
   */
  open(map: RequestMap): Exchange | ResponseMap | Promise<Exchange | ResponseMap> {
    try {
      const early = this.#outer.request(map);
      if (isThenable(early)) return this.#openAfter(early, map);
      return early !== undefined ? early : new Exchange(map, this.logger);
    } catch (error) {
      return rejection(error);
    }
  }

  async #openAfter(pending: PromiseLike<Early>, map: RequestMap): Promise<Exchange | ResponseMap> {
    const early = await pending;
    return early !== undefined ? early : new Exchange(map, this.logger);
  }

  /**
   * The CSRF request half, once `exchange.map.form` is known: a response to send at once
   * (403, already through the session's response half, so a flash read stays read), or
   * undefined to go on. Synchronous when the halves are, as {@link open}.
   */
  check(exchange: Exchange): Early | Promise<Early> {
    if (this.#csrf === undefined) return undefined;
    try {
      const early = this.#csrf.request(exchange.map);
      if (isThenable(early)) return this.#checkAfter(early, exchange);
      return this.#checked(early, exchange);
    } catch (error) {
      return rejection(error);
    }
  }

  async #checkAfter(pending: PromiseLike<Early>, exchange: Exchange): Promise<Early> {
    return this.#checked(await pending, exchange);
  }

  #checked(early: Early, exchange: Exchange): Early | Promise<Early> {
    if (early === undefined) {
      exchange.csrf = true;
      exchange.hideTaken();
      return undefined;
    }
    exchange.state = 'done';
    return this.#outer.response(early, exchange.map);
  }

  /** {@link open} then {@link check}, for a framework whose body is parsed already. */
  load(map: RequestMap): Exchange | ResponseMap | Promise<Exchange | ResponseMap> {
    const opened = this.open(map);
    if (isThenable(opened)) return opened.then((value) => this.#loaded(value));
    return this.#loaded(opened);
  }

  #loaded(
    opened: Exchange | ResponseMap,
  ): Exchange | ResponseMap | Promise<Exchange | ResponseMap> {
    if (!(opened instanceof Exchange)) return opened;
    const early = this.check(opened);
    if (isThenable(early)) return early.then((value) => value ?? opened);
    return early ?? opened;
  }

  /**
   * The response halves over a skeleton made of what the application did: `status`, the
   * framework's current `headers` (lower-case names), and `current`, the session the
   * application holds now (`req.session`, which it may have replaced). Marks the exchange
   * done. Synchronous when the halves are, as {@link open}. Rejects with what the halves
   * throw (a session too large for a cookie): a programming error, for the framework's own
   * error handling.
   */
  commit(
    exchange: Exchange,
    status: number,
    headers: ResponseHeaders,
    current: unknown,
  ): Commit | Promise<Commit> {
    try {
      exchange.state = 'done';
      const map = exchange.map;
      const skeleton: ResponseMap = { status, headers, body: skeletonBody };
      exchange.changes(skeleton, current);
      if (!exchange.csrf) return this.#outerCommit(skeleton, map);
      const out = this.#csrf!.response(skeleton, map);
      if (isThenable(out)) return this.#commitAfter(out, map);
      return this.#outerCommit(out, map);
    } catch (error) {
      return rejection(error);
    }
  }

  async #commitAfter(pending: PromiseLike<ResponseMap>, map: RequestMap): Promise<Commit> {
    return this.#outerCommit(await pending, map);
  }

  #outerCommit(response: ResponseMap, map: RequestMap): Commit | Promise<Commit> {
    const out = this.#outer.response(response, map);
    return isThenable(out) ? Promise.resolve(out).then(toCommit) : toCommit(out);
  }
}

/** The {@link Commit} of the response the halves gave back. */
function toCommit(out: ResponseMap): Commit {
  if (out.body !== skeletonBody) return { replaced: true, response: out };
  return { replaced: false, headers: out.headers ?? {} };
}

/**
 * What `req.session.update()` rejects with when the store fails: an error the frameworks'
 * own error handling answers with 503 and `Retry-After: 5`, as a failed read or write is
 * answered (Express reads `status` and `headers`, Fastify `statusCode` and `headers`, Hono
 * `getResponse()`). A custom error handler can tell it by `statusCode`.
 */
export class SessionUnavailableError extends Error {
  override name = 'SessionUnavailableError';
  readonly status = 503;
  readonly statusCode = 503;
  readonly headers: Readonly<Record<string, string>> = Object.freeze({ 'retry-after': '5' });

  constructor(failure: Error) {
    super(failure.message, { cause: failure });
  }

  /** The 503 response, for Hono's default error handler. */
  getResponse(): Response {
    return new Response('Service Unavailable', {
      status: 503,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' },
    });
  }
}

/** One request's state between the request halves and the commit. */
export class Exchange implements SessionMarks {
  readonly map: RequestMap;
  readonly session: SessionObject;
  /**
   * The session as loaded, to tell whether the application changed it: its keys and values
   * in order, and its JSON text, taken at once when a value is an object (which the
   * application may change in place), else made from them only when needed.
   */
  readonly #keys: string[];
  readonly #values: unknown[];
  #snapshot: string | undefined;
  state: 'open' | 'done' = 'open';
  /** The CSRF request half ran and let the request through: its response half must run. */
  csrf = false;
  regenerate = false;
  destroyed = false;
  subject: string | null | undefined = undefined;
  #flash: JsonValue | undefined = undefined;
  #flashSet = false;

  readonly #logger: Logger;

  constructor(map: RequestMap, logger: Logger) {
    this.map = map;
    this.#logger = logger;
    const data = map.session ?? {};
    const keys = Object.keys(data);
    const values: unknown[] = new Array<unknown>(keys.length);
    let nested = false;
    for (let i = 0; i < keys.length; i++) {
      const value = data[keys[i]!];
      values[i] = value;
      if (typeof value === 'object' && value !== null) nested = true;
    }
    this.#keys = keys;
    this.#values = values;
    this.#snapshot = nested ? snapshot(data) : undefined;
    this.session = new SessionObject(this, data);
  }

  /**
   * The CSRF request half took its secret out of the request's session (handlers never see
   * it; its response half puts it back): the application's session object drops it too, and
   * what was loaded is compared without it. Only that key: what a hook of the framework
   * changed meanwhile (Fastify checks CSRF in `preHandler`) stays a change.
   */
  hideTaken(): void {
    const data = this.map.session ?? {};
    for (const key of middlewareKeys) {
      if (Object.hasOwn(data, key)) continue;
      const at = this.#keys.indexOf(key);
      if (at === -1) continue;
      delete this.session[key];
      this.#keys.splice(at, 1);
      this.#values.splice(at, 1);
      if (this.#snapshot !== undefined) {
        // The JSON taken at load, before any hook ran, without the key.
        const loaded = JSON.parse(this.#snapshot) as Record<string, unknown>;
        delete loaded[key];
        this.#snapshot = JSON.stringify(loaded);
      }
    }
  }

  /** The subject the session was read with. */
  get readSubject(): string | undefined {
    return this.map.sessionSubject;
  }

  /** The value the previous response set as the flash (read once). */
  get flash(): JsonValue | undefined {
    return this.map.flash;
  }

  /** Sets the flash the next request sees. */
  setFlash(value: JsonValue | undefined): void {
    this.#flash = value;
    this.#flashSet = true;
  }

  /** The session's atomic update, for {@link SessionObject.update}. */
  update(
    data: SessionData,
    change: (session: SessionValues) => SessionValues,
  ): Promise<SessionData> {
    // A destroyed session is no longer the stored one: what follows starts a new session.
    if (this.destroyed) return Promise.resolve().then(() => change(data));
    // A store that cannot update atomically changes what the application holds now.
    this.map.session = data;
    return updateSession(this.map, change).catch((error: unknown) => {
      if (!(error instanceof StoreFailure)) throw error;
      this.#logger.error(`sessionkit: ${error.message}`, error.error);
      throw new SessionUnavailableError(error);
    });
  }

  /** A masked anti-forgery token; the first call makes the session's secret. */
  csrfToken(): string {
    const token = this.map.csrfToken;
    if (token === undefined) {
      throw new TypeError('csrfToken: CSRF protection is off (the csrf option is false)');
    }
    return token;
  }

  /** The hidden input that carries {@link csrfToken} in a form. */
  csrfInput(): string {
    return csrfInput({ csrfToken: this.csrfToken() });
  }

  /** Puts on `skeleton` Ring's `session`, `regenerateSession` and `flash` for what was done. */
  changes(skeleton: ResponseMap, current: unknown): void {
    if (this.#flashSet) skeleton.flash = this.#flash;
    if (this.subject !== undefined) skeleton.sessionSubject = this.subject;
    if (current === null || current === undefined) {
      skeleton.session = null;
      return;
    }
    if (typeof current !== 'object' || Array.isArray(current)) {
      throw new TypeError(
        `the session was replaced by ${Array.isArray(current) ? 'an array' : typeof current}, expected an object`,
      );
    }
    const data: SessionData = { ...current };
    if (this.destroyed) {
      if (Object.keys(data).length === 0) skeleton.session = null;
      else {
        skeleton.session = data;
        skeleton.regenerateSession = true;
      }
    } else if (this.regenerate) {
      skeleton.session = data;
      skeleton.regenerateSession = true;
    } else if (current !== this.session || this.#changed(data)) {
      skeleton.session = data;
    }
  }

  /**
   * Whether `data`'s JSON differs from the loaded session's, without writing either when the
   * keys are the same: a scalar value replaced by another (a string, a boolean, a finite
   * number, null) changes the JSON; the same values, none of them an object, leave it.
   */
  #changed(data: SessionData): boolean {
    const keys = this.#keys;
    const values = this.#values;
    const now = Object.keys(data);
    if (sameKeys(now, keys)) {
      let same = true;
      for (let i = 0; i < keys.length; i++) {
        const before = values[i];
        const after = data[keys[i]!];
        if (before === after) continue;
        if (isScalar(before) && isScalar(after)) return true;
        same = false;
      }
      if (same && this.#snapshot === undefined) return false;
    }
    this.#snapshot ??= snapshot(rebuilt(keys, values));
    return snapshot(data) !== this.#snapshot;
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A value whose JSON text no other such value shares: two of them differ in JSON if they differ. */
function isScalar(value: unknown): boolean {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/** The loaded session again, from its keys and values, none an object (an own `__proto__` kept). */
function rebuilt(keys: readonly string[], values: readonly unknown[]): SessionData {
  const data = Object.create(null) as Record<string, unknown>;
  for (let i = 0; i < keys.length; i++) data[keys[i]!] = values[i];
  return data as SessionData;
}

/** JSON text to compare sessions by; a value JSON refuses (a BigInt) is written as text. */
function snapshot(data: SessionData): string {
  try {
    return JSON.stringify(data);
  } catch {
    return JSON.stringify(data, (_key, value: unknown) =>
      typeof value === 'bigint' ? `${value}n` : value,
    );
  }
}

/**
 * The form fields a framework's body parser left, when the body is a form: only for the
 * urlencoded and multipart types (never JSON, which CSRF must not read a token from), and
 * only string values (file parts and nested objects are left out).
 */
export function formFrom(contentType: string | undefined, body: unknown): FormFields | undefined {
  if (!isFormType(contentType) || typeof body !== 'object' || body === null) return undefined;
  const form = Object.create(null) as FormFields;
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string') form[name] = value;
    else if (Array.isArray(value)) {
      const strings = value.filter((item): item is string => typeof item === 'string');
      if (strings.length > 0) form[name] = strings;
    }
  }
  return form;
}

/** Whether a Content-Type is a form type, the only bodies the CSRF check reads a token from. */
export function isFormType(contentType: string | null | undefined): boolean {
  if (contentType === undefined || contentType === null) return false;
  const semicolon = contentType.indexOf(';');
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon))
    .trim()
    .toLowerCase();
  return type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
}

/** The headers a commit changed: every name whose value is not the one it had. */
export function changedHeaders(
  before: ResponseHeaders,
  after: ResponseHeaders,
): [string, ResponseHeaders[string]][] {
  const changed: [string, ResponseHeaders[string]][] = [];
  for (const name in after) {
    const value = after[name]!;
    if (before[name] !== value) changed.push([name.toLowerCase(), value]);
  }
  return changed;
}

/** A response body in memory: what the adapters send for an early or replacing response. */
export async function bodyBytes(
  body: ResponseMap['body'],
): Promise<string | Uint8Array | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) {
    chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}
