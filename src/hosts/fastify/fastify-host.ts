import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { SessionkitError } from '../../core/errors.ts';
import type {
  JsonValue,
  RequestCookie,
  RequestMap,
  ResponseHeaders,
  ResponseMap,
} from '../../core/types.ts';
import {
  Adapter,
  adapterOptionNames,
  bodyBytes,
  changedHeaders,
  Exchange,
  formFrom,
} from '../adapter.ts';
import type { AdapterOptions, Commit } from '../adapter.ts';
import { isThenable } from '../../core/halves.ts';
import type { Session } from '../session-object.ts';
import { createRequestMap } from '../../core/request.ts';

/** Options of {@link sessionPlugin}: `wrapDefaults`' (`session`, `cookies`, `csrf`). */
export type FastifySessionOptions = AdapterOptions;

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The session data, changed in place (`request.session.user = id`), with `regenerate()`
     * (login) and `destroy()` (logout). Loaded in `onRequest`, saved in `onSend`.
     */
    session: Session;
    /** The flash the previous response set (`reply.flash(…)`), seen by this request only. */
    flash: JsonValue | undefined;
    /** The request cookies in Ring's shape, `{ name: { value } }`. */
    cookies: Record<string, RequestCookie>;
    /** A masked anti-forgery token for a form or an `X-CSRF-Token` header. */
    csrfToken(): string;
  }
  interface FastifyReply {
    /** Sets the flash the next request sees as `request.flash`. */
    flash(value: JsonValue): void;
  }
}

const exchangeKey = Symbol('sessionkit.fastify.exchange');
type WithExchange = FastifyRequest & { [exchangeKey]: Exchange | null };

const decorations = ['session', 'flash', 'cookies', 'csrfToken'] as const;

const plugin: FastifyPluginAsync<FastifySessionOptions> = async (fastify, options) => {
  const what = 'sessionPlugin (fastify)';
  const adapter = new Adapter(what, options, adapterOptionNames);
  for (const name of decorations) {
    if (fastify.hasRequestDecorator(name)) {
      throw new SessionkitError(
        'invalid_option',
        `${what}: request.${name} is already decorated (by another plugin, such as @fastify/cookie or @fastify/session); sessionkit gives request.session, flash, cookies and csrfToken: register one or the other`,
      );
    }
  }
  fastify.decorateRequest(exchangeKey, null);
  fastify.decorateRequest('session', null as unknown as Session);
  fastify.decorateRequest('flash', undefined);
  fastify.decorateRequest('cookies', null as unknown as Record<string, RequestCookie>);
  fastify.decorateRequest('csrfToken', function csrfToken(this: FastifyRequest): string {
    const exchange = (this as WithExchange)[exchangeKey];
    if (exchange === null) throw new TypeError('csrfToken: the session is not loaded yet');
    return exchange.csrfToken();
  });
  fastify.decorateReply('flash', function flash(this: FastifyReply, value: JsonValue): void {
    const exchange = (this.request as WithExchange)[exchangeKey];
    if (exchange === null) throw new TypeError('reply.flash: the session is not loaded yet');
    exchange.setFlash(value);
  });

  // The session, before any route hook; the CSRF check needs the parsed body, so it waits
  // for preHandler. An early answer (503, 403) has been through the response halves. The
  // hooks take `done` rather than being async, so that the synchronous stores (the cookie
  // store) cost no promise and no microtask turn; a store that answers with a promise goes
  // on when it settles.
  fastify.addHook('onRequest', (request, reply, done) => {
    const opened = adapter.open(toRequestMap(request));
    if (isThenable(opened)) {
      opened.then((value) => opens(request, reply, value, done), done);
    } else {
      opens(request, reply, opened, done);
    }
  });

  fastify.addHook('preHandler', (request, reply, done) => {
    const exchange = (request as WithExchange)[exchangeKey];
    if (exchange === null || exchange.state !== 'open') return done();
    const form = formFrom(request.headers['content-type'], request.body);
    if (form !== undefined) exchange.map.form = form;
    const early = adapter.check(exchange);
    if (isThenable(early)) {
      early.then((value) => answer(reply, value, done), done);
    } else {
      answer(reply, early, done);
    }
  });

  // A handler that threw: its error reply saves nothing, as in Ring.
  fastify.addHook('onError', async (request) => {
    const exchange = (request as WithExchange)[exchangeKey];
    if (exchange !== null) exchange.state = 'done';
  });

  fastify.addHook('onSend', (request, reply, payload, done) => {
    const exchange = (request as WithExchange)[exchangeKey];
    if (exchange === null || exchange.state !== 'open') return done(null, payload);
    const before = reply.getHeaders() as ResponseHeaders;
    const commit = adapter.commit(exchange, reply.statusCode, before, request.session);
    if (isThenable(commit)) {
      commit.then((value) => commits(reply, before, payload, value, done), done);
    } else {
      commits(reply, before, payload, commit, done);
    }
  });
};

/**
 * Sessions, flash, cookies and CSRF for Fastify 5, as a plugin (`fastify-plugin`, so it
 * applies to every route). Requests get `request.session` (changed in place;
 * `regenerate()` on login, `destroy()` on logout), `request.flash` and `reply.flash(value)`,
 * `request.cookies` in Ring's shape, and `request.csrfToken()`. The session is loaded in
 * `onRequest`, the CSRF check runs in `preHandler` (forms are read from `request.body`, so
 * register a form parser such as `@fastify/formbody`; `X-CSRF-Token` works without one),
 * and the session is saved in `onSend`, before the reply is written, also for streams.
 *
 * A store that cannot read or write answers `onStoreError` (503); anything else that fails,
 * in the handler or when saving, goes to Fastify's error handler. A handler that throws
 * saves nothing (as in Ring). `reply.hijack()` bypasses `onSend`, so nothing is saved.
 * Do not register `@fastify/cookie` beside it: both decorate `request.cookies`.
 *
 * @throws {SessionkitError} `invalid_option` for an invalid or unknown option, at `register`.
 * @example
 * import Fastify from 'fastify';
 * import { sessionPlugin } from 'sessionkit/fastify';
 *
 * const app = Fastify();
 * await app.register(sessionPlugin); // configured from the environment, as wrapDefaults() is
 * app.get('/login/:id', async (request) => {
 *   request.session.user = (request.params as { id: string }).id;
 *   request.session.regenerate();
 *   return 'Welcome';
 * });
 */
export const sessionPlugin = fastifyPlugin(plugin, { fastify: '5.x', name: 'sessionkit' });

function toRequestMap(request: FastifyRequest): RequestMap {
  const url = request.url;
  const q = url.indexOf('?');
  return createRequestMap({
    method: request.method,
    path: q === -1 ? url : url.slice(0, q),
    query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
    headers: request.headers,
    // Fastify's own reading, which honours its trustProxy option.
    scheme: request.protocol === 'https' ? 'https' : 'http',
    remoteAddress: request.ip,
  });
}

/** The onRequest hook once the request halves answered. */
function opens(
  request: FastifyRequest,
  reply: FastifyReply,
  opened: Exchange | ResponseMap,
  done: (error?: Error) => void,
): void {
  if (!(opened instanceof Exchange)) {
    send(reply, opened).then(() => done(), done);
    return;
  }
  (request as WithExchange)[exchangeKey] = opened;
  request.session = opened.session as unknown as Session;
  request.flash = opened.flash;
  request.cookies = opened.map.cookies ?? {};
  done();
}

/** The preHandler hook once the CSRF request half answered. */
function answer(
  reply: FastifyReply,
  early: ResponseMap | undefined,
  done: (error?: Error) => void,
): void {
  if (early === undefined) done();
  else send(reply, early).then(() => done(), done);
}

/** The onSend hook once the response halves answered: their headers, or their response. */
function commits(
  reply: FastifyReply,
  before: ResponseHeaders,
  payload: unknown,
  commit: Commit,
  done: (error: Error | null, payload?: unknown) => void,
): void {
  if (commit.replaced) {
    if (isStream(payload)) payload.destroy();
    replace(reply, commit.response).then((body) => done(null, body), done);
    return;
  }
  try {
    for (const [name, value] of changedHeaders(before, commit.headers)) {
      if (name === 'set-cookie') reply.removeHeader(name);
      reply.header(name, value);
    }
  } catch (error) {
    done(error as Error);
    return;
  }
  done(null, payload);
}

async function send(reply: FastifyReply, response: ResponseMap): Promise<FastifyReply> {
  const body = await bodyBytes(response.body);
  reply.code(response.status);
  const headers = response.headers ?? {};
  for (const name in headers) reply.header(name, headers[name]);
  return reply.send(body ?? '');
}

async function replace(reply: FastifyReply, response: ResponseMap): Promise<string | Uint8Array> {
  const body = await bodyBytes(response.body);
  for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
  reply.code(response.status);
  const headers = response.headers ?? {};
  for (const name in headers) reply.header(name, headers[name]);
  return body ?? '';
}

function isStream(payload: unknown): payload is { destroy(): void } {
  return (
    typeof payload === 'object' &&
    payload !== null &&
    typeof (payload as { pipe?: unknown }).pipe === 'function' &&
    typeof (payload as { destroy?: unknown }).destroy === 'function'
  );
}
