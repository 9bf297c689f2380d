import { randomBytes } from 'node:crypto';
import { invalidOption, SessionkitError } from '../core/errors.ts';
import { needsSession } from '../core/placement.ts';
import { checkOptions, functionOption, loggerOption } from '../core/options.ts';
import { equalBytes } from '../crypto/keys.ts';
import { isNoResponse, rejection, wrapHalves } from '../core/halves.ts';
import type { Halves } from '../core/halves.ts';
import { consoleLogger } from '../core/logger.ts';
import { appendList, defaultHeader, privateCache, withProperty } from '../core/headers.ts';
import type {
  JsonValue,
  Logger,
  Middleware,
  RequestMap,
  ResponseMap,
  SessionData,
  SessionShape,
} from '../core/types.ts';
import { sessionCookieWithheld } from '../session/wrap-session.ts';

/** Where the per-session secret lives inside the session (hidden from handlers). */
export const csrfKey = '_csrf';

/** Ring's form field name. */
export const csrfField = '__anti-forgery-token';

/** Where ring-anti-forgery keeps its token in the session (`:ring.middleware.anti-forgery/anti-forgery-token`). */
export const ringTokenKey = 'ring.middleware.anti-forgery/anti-forgery-token';

/** Why a request was refused. */
export type CsrfFailure = 'missing_token' | 'invalid_token' | 'cross_origin';

/** Options of {@link wrapCsrf}. */
export interface CsrfOptions {
  /**
   * Origins (`scheme://host[:port]`) whose cross-site requests are allowed through the origin
   * check; they still need a valid token.
   * @default []
   */
  trustedOrigins?: readonly string[] | undefined;
  /**
   * The response to a refused request. It gets the reason; it must not echo the token.
   * @default 403 `Invalid anti-forgery token` (text/plain)
   */
  onFailure?:
    ((request: RequestMap, reason: CsrfFailure) => ResponseMap | Promise<ResponseMap>) | undefined;
  /**
   * ring-anti-forgery's `:safe-header`: a request with a non-blank value of this header skips
   * the token check (the origin check still applies). Browsers only send a custom header
   * from another origin after a CORS preflight, so CORS-safelisted names are refused.
   * @default undefined (off)
   */
  safeHeader?: string | undefined;
  /**
   * `'masked'`: a per-session secret rendered masked with fresh random bytes on every
   * response (BREACH). `'ring'`: shared with a Kit application through a shared session
   * (`ringCookieStore`): the token is ring-anti-forgery's, stored under
   * `ring.middleware.anti-forgery/anti-forgery-token` (80 characters of base64, made the way
   * Kit makes it when the session has none), and rendered **unmasked**, because Kit compares
   * tokens as they are; a token either side rendered is accepted by both. The price: the
   * same token appears in every page, so a page that is compressed and reflects attacker
   * input can leak it (BREACH); the Origin / Fetch Metadata check still applies.
   * @default 'masked'
   */
  tokens?: 'masked' | 'ring' | undefined;
  /**
   * ring-anti-forgery's `:read-token`: reads the token a request submitted, replacing the
   * built-in sources (the form field, then `X-CSRF-Token`, then `X-XSRF-Token`). `undefined`
   * (or anything but a string) means the request sent none. The origin check still applies.
   * @default the built-in sources
   * @example
   * wrapCsrf({ readToken: (request) => request.headers['x-forgery-token'] as string | undefined })
   */
  readToken?: ((request: RequestMap) => string | undefined) | undefined;
  /**
   * Where refusals are logged, at debug level, with the method, the path and the reason
   * (`missing_token`, `invalid_token`, `cross_origin`); never the token.
   * @default console (which has no debug level, so nothing is printed)
   */
  logger?: Pick<Logger, 'debug'> | undefined;
}

/** Methods that must not change state and are never checked (RFC 9110 §9.2.1). */
const safeMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Request headers through which frameworks let a client override the method (Rails, Laravel,
 * Symfony, method-override for Express, ASP.NET). A safe request carrying one is checked as
 * the unsafe method it may become (security case X-19).
 */
const overrideHeaders = ['x-http-method-override', 'x-http-method', 'x-method-override'] as const;

/** Request headers a page can send cross-origin without a preflight (Fetch, CORS-safelisted). */
const safelisted: ReadonlySet<string> = new Set([
  'accept',
  'accept-language',
  'content-language',
  'content-type',
  'range',
]);

const secretBytes = 32;
/** base64url of 32 bytes. */
const secretLength = 43;
/** base64url of mask ‖ (mask XOR secret): 64 bytes. */
const tokenLength = 86;

/**
 * Anti-forgery protection compatible with ring-anti-forgery, plus what it lacks.
 *
 * - GET, HEAD and OPTIONS pass. Every other method needs a token, read from the form field
 *   `__anti-forgery-token` (urlencoded or multipart), else `X-CSRF-Token`, else
 *   `X-XSRF-Token`; the first source present decides. Never from the query string or JSON.
 * - A cross-site request (`Sec-Fetch-Site: cross-site`, or an `Origin` that is not the
 *   request's own) is refused even with a token, unless its origin is trusted.
 * - The token is a per-session secret, handed to pages masked with fresh random bytes on
 *   every response (BREACH); any masked form of the session's secret is accepted.
 * - The secret is made the first time a handler reads `request.csrfToken`, and only then is
 *   the session written: pages without forms create no session. A response that embeds a
 *   token is marked `Cache-Control: private` and `Vary: Cookie`, so no shared cache keeps it.
 * - A method override (`X-HTTP-Method-Override`, `X-HTTP-Method`, `X-Method-Override`, or a
 *   `_method` form field or query parameter) makes even a GET checked. Honour overrides only
 *   on POST in your router, as Rails does.
 * - A refusal is logged at debug level with its reason; an `onFailure` page that renders the
 *   form again (reads `request.csrfToken`) stores the secret it used, so that form works.
 * - `regenerateSession` (login) and `session: null` (logout) drop the secret, so a token from
 *   before login is refused after it (OWASP CSRF, login CSRF).
 *
 * Place it inside `wrapSession` (and `wrapFlash`), around the routes that take forms.
 *
 * @example
 * const app = compose(wrapSession(options), wrapFlash(), wrapCsrf())(routes);
 * // in a handler: `<form method="post">${csrfInput(request)}…</form>`
 */
export function wrapCsrf<S extends SessionShape<S> = SessionData, F = JsonValue>(
  options: CsrfOptions = {},
): Middleware<S, F> {
  return wrapHalves<S, F>(csrfHalves(options));
}

/**
 * `wrapCsrf`'s two halves: `request` hides the secret from the session, offers
 * `request.csrfToken` and refuses a forged request (the handler is not called); `response`
 * stores a secret made on this request and adds `Vary`.
 */
export function csrfHalves(options: CsrfOptions = {}): Halves {
  const settings = resolve(options);
  return {
    role: 'csrf',
    request: (request) => {
      try {
        return csrfRequest(settings, request);
      } catch (error) {
        return rejection(error);
      }
    },
    response: csrfResponse,
  };
}

interface Settings {
  readonly ring: boolean;
  /** The session key of the secret: `_csrf`, or Kit's. */
  readonly key: string;
  readonly trusted: ReadonlySet<string>;
  readonly safeHeader: string | undefined;
  readonly onFailure: NonNullable<CsrfOptions['onFailure']>;
  readonly readToken: (request: RequestMap) => unknown;
  readonly logger: Pick<Logger, 'debug'>;
}

function resolve(options: CsrfOptions): Settings {
  checkOptions(
    'wrapCsrf',
    options,
    ['trustedOrigins', 'onFailure', 'safeHeader', 'tokens', 'readToken', 'logger'],
    { 'read-token': 'readToken' },
  );
  const origins: unknown = options.trustedOrigins ?? [];
  if (!Array.isArray(origins)) {
    throw invalidOption('wrapCsrf', 'trustedOrigins', origins, 'an array of origins');
  }
  const trusted = new Set<string>();
  for (const origin of origins as readonly unknown[]) {
    let parsed: URL | undefined;
    try {
      parsed = typeof origin === 'string' ? new URL(origin) : undefined;
    } catch {
      parsed = undefined;
    }
    if (
      typeof origin !== 'string' ||
      parsed === undefined ||
      parsed.origin === 'null' ||
      parsed.origin !== origin.replace(/\/$/, '')
    ) {
      throw invalidOption(
        'wrapCsrf',
        'trustedOrigins',
        origin,
        'origins such as https://app.example.com',
      );
    }
    trusted.add(parsed.origin);
  }
  const safeHeader = options.safeHeader?.toLowerCase();
  // Only a custom `X-` header: a browser sends it cross-origin only after a CORS preflight.
  // Safelisted and browser-set headers (User-Agent, Cookie, Origin, Sec-*) would let any page
  // skip the check (ASVS 3.5.1).
  if (
    safeHeader !== undefined &&
    (!/^x-[a-z0-9-]+$/.test(safeHeader) || safelisted.has(safeHeader))
  ) {
    throw invalidOption(
      'wrapCsrf',
      'safeHeader',
      options.safeHeader,
      'a custom header name starting with X-, such as X-Requested-With',
    );
  }
  const onFailure =
    functionOption<Settings['onFailure']>('wrapCsrf', 'onFailure', options.onFailure) ??
    defaultFailure;
  const tokens = options.tokens ?? 'masked';
  if (tokens !== 'masked' && tokens !== 'ring') {
    throw invalidOption('wrapCsrf', 'tokens', tokens, "'masked' or 'ring'");
  }
  const ring = tokens === 'ring';
  const readToken =
    functionOption<Settings['readToken']>('wrapCsrf', 'readToken', options.readToken) ??
    requestToken;
  const logger = loggerOption('wrapCsrf', options.logger, consoleLogger, []);
  return {
    ring,
    key: ring ? ringTokenKey : csrfKey,
    trusted,
    safeHeader,
    onFailure,
    readToken,
    logger,
  };
}

/** What the request half learnt, for the response half. */
interface State {
  /** The session's secret, or one made on this request. */
  secret: string | undefined;
  /** The secret was made on this request: the response must store it. */
  created: boolean;
  /** A handler read `request.csrfToken`: the response embeds a token. */
  issued: boolean;
  /** The session without the secret, as the handler saw it. */
  readonly base: SessionData;
  /** Where the secret lives in the session. */
  readonly key: string;
}

const state = Symbol('sessionkit.csrf');
type WithState = RequestMap & { [state]?: State };

/**
 * Synchronous unless the request is refused (`onFailure` may answer with a promise), so
 * that a safe or well-tokened request costs no promise. What it throws, the request half
 * rejects with, as when it was async.
 */
function csrfRequest(
  settings: Settings,
  request: WithState,
): ResponseMap | undefined | Promise<ResponseMap | undefined> {
  const session = request.session;
  if (session === undefined) throw needsSession('csrf');
  const { ring, key } = settings;
  const stored = session[key];
  const { [key]: _, ...base } = session;
  const current: State = {
    secret: ring
      ? ringSecret(stored)
      : typeof stored === 'string' && stored.length === secretLength
        ? stored
        : undefined,
    created: false,
    issued: false,
    base,
    key,
  };
  request[state] = current;
  request.session = base;
  let token: string | undefined;
  // Defined before the check, so that an onFailure page can render the form again.
  Object.defineProperty(request, 'csrfToken', {
    configurable: true,
    enumerable: true,
    get(): string {
      if (current.secret === undefined) {
        // ring-anti-forgery's token: 60 random bytes, base64 without padding, 80 characters.
        current.secret = ring
          ? randomBytes(60).toString('base64')
          : randomBytes(secretBytes).toString('base64url');
        current.created = true;
      }
      current.issued = true;
      token ??= ring ? current.secret : mask(current.secret);
      return token;
    },
  });
  if (isSafe(request)) return undefined;
  const reason = check(request, current.secret, settings);
  if (reason === undefined) return undefined;
  settings.logger.debug?.(
    `sessionkit: refused a ${request.method} request to ${request.path}: ${reason} (${explanations[reason]})`,
  );
  return refuse(settings, request, reason);
}

/** an onFailure page that renders the form again gets its secret stored. */
async function refuse(
  settings: Settings,
  request: WithState,
  reason: CsrfFailure,
): Promise<ResponseMap> {
  return csrfResponse(await settings.onFailure(request, reason), request);
}

const explanations: Readonly<Record<CsrfFailure, string>> = {
  missing_token: 'no anti-forgery token in the form field or the headers',
  invalid_token: 'the token does not match the session',
  cross_origin: 'the request came from another origin',
};

function csrfResponse(response: ResponseMap, request: WithState): ResponseMap {
  if (isNoResponse(response)) return response;
  const current = request[state];
  let out = isSafe(request) ? response : withVary(response);
  if (out.session === null && current?.issued === true && current.secret !== undefined) {
    // A page rendered on the response that logs out (a sign-in form on "Signed out") carries
    // a token: its secret moves to the fresh session that replaces the ended one, or that
    // form could never be posted. A logout that renders no token drops the secret.
    return {
      ...out,
      headers: defaultHeader(out.headers, 'cache-control', 'no-store'),
      session: { [current.key]: current.secret },
      regenerateSession: true,
    };
  }
  if (current?.issued === true) {
    // L-17: a page holding a token is this browser's only (OWASP SM "Web Content Caching").
    const headers = appendList(privateCache(out.headers), 'vary', ['Cookie']);
    out = withProperty(out, 'headers', headers);
  }
  if (current === undefined) return out;
  const { secret, created, base, key } = current;
  if (out.session === null) return out;
  if (out.regenerateSession === true) {
    // A new session key gets a new secret (OWASP CSRF, login CSRF): the pre-login one is
    // dropped. A secret made during this very request is new already, and is kept so
    // that a form rendered on the login response works.
    const { [key]: _old, ...rest } = out.session ?? base;
    return withProperty(out, 'session', created ? { ...rest, [key]: secret } : rest);
  }
  if (secret === undefined) return out;
  if (out.session !== undefined) {
    return withProperty(out, 'session', { ...out.session, [key]: secret });
  }
  // L-16: a page reached from another site without the session cookie, because SameSite
  // withheld it, must not start a session just to hold the secret: its Set-Cookie would
  // replace the user's session. Its form then fails once; the next same-site page works.
  if (created && !sessionCookieWithheld(request)) {
    return withProperty(out, 'session', { ...base, [key]: secret });
  }
  return out;
}

/**
 * The hidden input that carries the token in a form, as ring-anti-forgery's
 * `anti-forgery-field` writes it: `<input id="__anti-forgery-token"
 * name="__anti-forgery-token" type="hidden" value="…" />`, the value HTML-escaped. Takes a
 * request map, or a framework request whose `csrfToken` is a function (`csrfInput(req)`
 * with `sessionkit/express`).
 *
 * @example
 * html(`<form method="post">${csrfInput(request)}<button>Save</button></form>`);
 */
export function csrfInput(request: { csrfToken?: string | (() => string) | undefined }): string {
  const given = request.csrfToken;
  const token = typeof given === 'function' ? given.call(request) : given;
  if (token === undefined) {
    throw new SessionkitError(
      'missing_middleware',
      'csrfInput: request.csrfToken is undefined: apply wrapCsrf (inside wrapSession) around this route, or use wrapDefaults()',
    );
  }
  return `<input id="${csrfField}" name="${csrfField}" type="hidden" value="${escapeHtml(token)}" />`;
}

/** Character references for what may not stand raw in an attribute value (OWASP XSS rule 2). */
const htmlEscapes: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEscapes[c]!);
}

/** Safe, and no method override: an override header, field or parameter marks it unsafe. */
function isSafe(request: RequestMap): boolean {
  if (!safeMethods.has(request.method)) return false;
  for (const name of overrideHeaders) if (request.headers[name] !== undefined) return false;
  return request.form?._method === undefined && !request.query.has('_method');
}

function check(
  request: RequestMap,
  secret: string | undefined,
  { trusted, safeHeader, ring, readToken }: Settings,
): CsrfFailure | undefined {
  if (crossOrigin(request, trusted)) return 'cross_origin';
  if (safeHeader !== undefined) {
    const value = request.headers[safeHeader];
    if (typeof value === 'string' && value.trim() !== '') return undefined;
  }
  const token = readToken(request);
  if (typeof token !== 'string') return 'missing_token';
  if (secret === undefined) return 'invalid_token';
  // Kit's check: the token as sent equals the session's, compared in constant time (C-15).
  const valid = ring ? equalBytes(Buffer.from(token), Buffer.from(secret)) : matches(token, secret);
  return valid ? undefined : 'invalid_token';
}

/** A token ring-anti-forgery stored (any version: a non-empty string of sane length). */
function ringSecret(stored: unknown): string | undefined {
  return typeof stored === 'string' && stored.length > 0 && stored.length <= 256
    ? stored
    : undefined;
}

/**
 * Fetch Metadata first, then Origin (OWASP CSRF cheat sheet, "Fetch Metadata headers" and
 * "Verifying Origin With Standard Headers"). `same-site` is not trusted: a sibling subdomain
 * can be hostile. With neither header the token alone decides (curl, old browsers).
 */
function crossOrigin(request: RequestMap, trusted: ReadonlySet<string>): boolean {
  const origin = header(request, 'origin');
  const site = header(request, 'sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') {
    return origin === undefined || !trusted.has(origin);
  }
  if (site === 'same-origin' || site === 'none') return false;
  if (origin === undefined) return false;
  if (trusted.has(origin)) return false;
  const host = header(request, 'host');
  return host === undefined || origin !== `${request.scheme}://${host}`;
}

/** Ring's sources, in order; the first present decides, even when empty. */
function requestToken(request: RequestMap): string | undefined {
  const field = request.form?.[csrfField];
  if (field !== undefined) return typeof field === 'string' ? field : '';
  return header(request, 'x-csrf-token') ?? header(request, 'x-xsrf-token');
}

function header(request: RequestMap, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A fresh masked form of `secret`: base64url(mask ‖ mask XOR secret). */
function mask(secret: string): string {
  const bytes = Buffer.from(secret, 'base64url');
  const out = randomBytes(2 * secretBytes);
  for (let i = 0; i < secretBytes; i++)
    out[secretBytes + i] = (out[i] as number) ^ (bytes[i] as number);
  return out.toString('base64url');
}

/** Whether `token` is a masked form of `secret`, compared in constant time (security case C-15). */
function matches(token: string, secret: string): boolean {
  if (token.length !== tokenLength) return false;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== 2 * secretBytes || bytes.toString('base64url') !== token) return false;
  const unmasked = Buffer.allocUnsafe(secretBytes);
  for (let i = 0; i < secretBytes; i++)
    unmasked[i] = (bytes[i] as number) ^ (bytes[secretBytes + i] as number);
  return equalBytes(unmasked, Buffer.from(secret, 'base64url'));
}

/** the answer depends on these request headers, so a cache must key on them. */
function withVary(response: ResponseMap): ResponseMap {
  return withProperty(
    response,
    'headers',
    appendList(response.headers, 'vary', ['Sec-Fetch-Site', 'Origin']),
  );
}

function defaultFailure(): ResponseMap {
  return {
    status: 403,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    body: 'Invalid anti-forgery token',
  };
}
