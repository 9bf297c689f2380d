import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { JsonValue, RequestCookie, RequestMap } from '../../core/types.ts';
import {
  Adapter,
  adapterOptionNames,
  bodyBytes,
  Exchange,
  formFrom,
  isFormType,
} from '../adapter.ts';
import type { AdapterOptions } from '../adapter.ts';
import { safeLog } from '../host-utils.ts';
import { createRequestMap } from '../../core/request.ts';
import type { Session } from '../session-object.ts';
import { hold, sendMap } from './intercept.ts';

/** Options of {@link sessionMiddleware}: `wrapDefaults`' (`session`, `cookies`, `csrf`). */
export type ExpressSessionOptions = AdapterOptions;

/* eslint-disable @typescript-eslint/no-namespace -- Express's types are augmented through their global namespace */
declare global {
  namespace Express {
    interface Request {
      /**
       * The session data, changed in place (`req.session.user = id`, `delete
       * req.session.user`), with `regenerate()` (login) and `destroy()` (logout). Saved
       * before the response's headers go out.
       */
      session: Session;
      /** The flash the previous response set (`res.flash(…)`), seen by this request only. */
      flash: JsonValue | undefined;
      /** A masked anti-forgery token for a form or an `X-CSRF-Token` header. */
      csrfToken(): string;
    }
    interface Response {
      /** Sets the flash the next request sees as `req.flash`. */
      flash(value: JsonValue): void;
    }
    interface Locals {
      /** `req.csrfToken()`, for views. */
      csrfToken(): string;
      /** The hidden `__anti-forgery-token` input, for views. */
      csrfInput(): string;
    }
  }
}
/* eslint-enable @typescript-eslint/no-namespace */

/**
 * Sessions, flash, cookies and CSRF for Express 5, as one middleware. Handlers get:
 *
 * - `req.session`: the data, changed in place; `req.session.regenerate()` on login,
 *   `req.session.destroy()` on logout (deletes the session and expires its cookie).
 * - `req.flash`: what the previous response set with `res.flash(value)`, once.
 * - `req.cookies`: the request cookies in Ring's shape, `{ name: { value } }`.
 * - `req.csrfToken()`, and `res.locals.csrfToken()` / `res.locals.csrfInput()` for views.
 *   Forms are checked from `req.body`, so mount a body parser (`express.urlencoded()`) before
 *   this middleware; `X-CSRF-Token` works without one.
 *
 * The session is saved before the headers go out, whatever sends them (`res.send`,
 * `res.redirect`, a stream, an early `res.end`), also with an asynchronous store. A store
 * that cannot read or write answers `onStoreError` (503); anything else that fails, in the
 * handler or when saving, goes to Express's error handling.
 *
 * @throws {SessionkitError} `invalid_option` for an invalid or unknown option.
 * @example
 * import express from 'express';
 * import { sessionMiddleware } from 'sessionkit/express';
 *
 * const app = express();
 * app.use(express.urlencoded({ extended: false }));
 * app.use(sessionMiddleware()); // configured from the environment, as wrapDefaults() is
 * app.post('/login', (req, res) => {
 *   req.session.user = req.body.user;
 *   req.session.regenerate();
 *   res.flash('Welcome');
 *   res.redirect(303, '/');
 * });
 */
export function sessionMiddleware(options?: ExpressSessionOptions): RequestHandler {
  const adapter = new Adapter('sessionMiddleware (express)', options, adapterOptionNames);
  const warned = { body: false };
  return function sessionkit(req: Request, res: Response, next: NextFunction): void {
    const map = toRequestMap(req);
    if (map.form === undefined && !warned.body && unparsedForm(req)) {
      warned.body = true;
      safeLog(
        adapter.logger,
        'warn',
        'sessionkit (express): a form was posted but req.body is not parsed, so its anti-forgery token cannot be read: mount express.urlencoded() before sessionMiddleware (logged once)',
      );
    }
    void Promise.resolve(adapter.load(map)).then(
      (loaded) => {
        if (loaded instanceof Exchange) {
          expose(req, res, loaded);
          hold(res, req, adapter, loaded, next);
          next();
        } else {
          void bodyBytes(loaded.body).then((body) => sendMap(res, loaded, body), next);
        }
      },
      (error: unknown) => next(error),
    );
  };
}

function toRequestMap(req: Request): RequestMap {
  const url = req.originalUrl;
  const q = url.indexOf('?');
  const map = createRequestMap({
    method: req.method,
    path: q === -1 ? url : url.slice(0, q),
    query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
    headers: req.headers,
    // Express's own reading, which honours its `trust proxy` setting.
    scheme: req.protocol === 'https' ? 'https' : 'http',
    remoteAddress: req.ip,
  });
  const form = formFrom(req.headers['content-type'], req.body);
  if (form !== undefined) map.form = form;
  return map;
}

function unparsedForm(req: Request): boolean {
  const method = req.method;
  return (
    method !== 'GET' &&
    method !== 'HEAD' &&
    method !== 'OPTIONS' &&
    req.body === undefined &&
    isFormType(req.headers['content-type'])
  );
}

function expose(req: Request, res: Response, exchange: Exchange): void {
  req.session = exchange.session as unknown as Session;
  req.flash = exchange.flash;
  (req as { cookies: Record<string, RequestCookie> | undefined }).cookies = exchange.map.cookies;
  const csrfToken = exchange.csrfToken.bind(exchange);
  req.csrfToken = csrfToken;
  res.flash = exchange.setFlash.bind(exchange);
  res.locals.csrfToken = csrfToken;
  res.locals.csrfInput = exchange.csrfInput.bind(exchange);
}
