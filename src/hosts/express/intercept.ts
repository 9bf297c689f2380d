/**
 * Holds a node response's head until the session is saved: the first `writeHead`, `write`,
 * `end` or `flushHeaders` starts the commit (which may wait on an asynchronous store) and
 * is queued with every call after it; once the commit resolves, its headers are set and
 * the calls are replayed in order. See docs/decisions/0016-framework-adapters.md.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ResponseHeaders, ResponseMap } from '../../core/types.ts';
import { bodyBytes, changedHeaders } from '../adapter.ts';
import type { Adapter, Commit, Exchange } from '../adapter.ts';
import { safeLog } from '../host-utils.ts';

type Method = 'writeHead' | 'write' | 'end' | 'flushHeaders';
type Call = readonly [Method, unknown[]];

/** One response's interception. */
interface Pending {
  readonly adapter: Adapter;
  readonly exchange: Exchange;
  readonly req: IncomingMessage & { session?: unknown };
  /** Where a commit that throws goes: the framework's error handling. */
  readonly fail: (error: unknown) => void;
  /** The methods as they were before (node's, or another middleware's wrappers). */
  readonly original: { readonly [M in Method]: (...args: unknown[]) => unknown };
  /**
   * `open`: nothing sent yet; `committing`: calls are queued; `done`: calls pass through;
   * `closed`: the response was replaced (503), the application's calls are dropped.
   */
  state: 'open' | 'committing' | 'done' | 'closed';
  readonly queue: Call[];
  /** A queued `write` answered false: the writer waits for `drain`. */
  starved: boolean;
}

const pendingKey = Symbol('sessionkit.express.pending');
type Held = ServerResponse & { [pendingKey]?: Pending };

/**
 * Wraps `res.writeHead`, `res.write`, `res.end` and `res.flushHeaders` (as own properties,
 * which wrap whatever was there, so that compression and other wrappers keep working) and
 * leaves the wrappers in place after the commit, as pass-throughs.
 */
export function hold(
  res: ServerResponse,
  req: IncomingMessage,
  adapter: Adapter,
  exchange: Exchange,
  fail: (error: unknown) => void,
): void {
  const held = res as Held;
  // Read and written as plain properties: these are the instance's, whatever wraps them.
  const methods = res as unknown as Record<Method, (...args: unknown[]) => unknown>;
  held[pendingKey] = {
    adapter,
    exchange,
    req,
    fail,
    original: {
      writeHead: methods.writeHead,
      write: methods.write,
      end: methods.end,
      flushHeaders: methods.flushHeaders,
    },
    state: 'open',
    queue: [],
    starved: false,
  };
  methods.writeHead = writeHead;
  methods.write = write;
  methods.end = end;
  methods.flushHeaders = flushHeaders;
}

function writeHead(this: Held, ...args: unknown[]): unknown {
  const pending = this[pendingKey]!;
  if (pending.state === 'done') return pending.original.writeHead.apply(this, args);
  if (pending.state === 'closed') return this;
  // Node sets the status at once and merges a headers argument with setHeader's headers
  // (the argument wins); doing both now lets the commit see them, and the replay passes
  // the status alone.
  const [status, second, third] = args;
  const message = typeof second === 'string' ? second : undefined;
  const headers = typeof second === 'string' ? third : second;
  if (typeof status === 'number') this.statusCode = status;
  if (message !== undefined) this.statusMessage = message;
  if (headers !== undefined && headers !== null) fold(this, headers);
  pending.queue.push(['writeHead', [this.statusCode]]);
  begin(this, pending);
  return this;
}

function write(this: Held, ...args: unknown[]): unknown {
  const pending = this[pendingKey]!;
  if (pending.state === 'done') return pending.original.write.apply(this, args);
  if (pending.state === 'closed') return true;
  pending.queue.push(['write', args]);
  pending.starved = true;
  begin(this, pending);
  return false;
}

function end(this: Held, ...args: unknown[]): unknown {
  const pending = this[pendingKey]!;
  if (pending.state === 'done') return pending.original.end.apply(this, args);
  if (pending.state === 'closed') return this;
  pending.queue.push(['end', args]);
  begin(this, pending);
  return this;
}

function flushHeaders(this: Held, ...args: unknown[]): unknown {
  const pending = this[pendingKey]!;
  if (pending.state === 'done') return pending.original.flushHeaders.apply(this, args);
  if (pending.state === 'closed') return undefined;
  pending.queue.push(['flushHeaders', args]);
  begin(this, pending);
  return undefined;
}

/** `writeHead`'s headers argument, an object or a flat `[name, value, …]` array, as node merges it. */
function fold(res: ServerResponse, headers: unknown): void {
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) res.removeHeader(String(headers[i]));
    for (let i = 0; i + 1 < headers.length; i += 2) {
      res.appendHeader(String(headers[i]), headers[i + 1] as string | string[]);
    }
  } else if (typeof headers === 'object' && headers !== null) {
    const given = headers as OutgoingHttpHeaders;
    for (const name of Object.keys(given)) {
      const value = given[name];
      if (value !== undefined) res.setHeader(name, value);
    }
  }
}

function begin(res: Held, pending: Pending): void {
  if (pending.state !== 'open') return;
  pending.state = 'committing';
  const before = res.getHeaders() as ResponseHeaders;
  void Promise.resolve(
    pending.adapter.commit(pending.exchange, res.statusCode, before, pending.req.session),
  ).then(
    (commit) => settle(res, pending, before, commit),
    (error: unknown) => {
      pending.state = 'done';
      pending.queue.length = 0;
      pending.fail(error);
    },
  );
}

function settle(res: Held, pending: Pending, before: ResponseHeaders, commit: Commit): void {
  if (commit.replaced) {
    void replace(res, pending, commit.response);
    return;
  }
  try {
    for (const [name, value] of changedHeaders(before, commit.headers)) {
      res.setHeader(name, value);
    }
  } catch (error) {
    // A header node refuses (a handler's CR in a Vary value): the response cannot go out.
    pending.state = 'done';
    pending.queue.length = 0;
    pending.fail(error);
    return;
  }
  pending.state = 'done';
  const queue = pending.queue.splice(0);
  try {
    for (const [method, args] of queue) pending.original[method].apply(res, args);
  } catch (error) {
    // What the application's call would have thrown at once (a second writeHead).
    safeLog(pending.adapter.logger, 'error', 'sessionkit (express): a response call failed', error);
    res.destroy();
    return;
  }
  if (pending.starved && !res.writableNeedDrain && !res.destroyed) res.emit('drain');
}

/** The store failed while saving: `onStoreError`'s response goes out instead of the application's. */
async function replace(res: Held, pending: Pending, response: ResponseMap): Promise<void> {
  pending.queue.length = 0;
  let body: string | Uint8Array | undefined;
  try {
    body = await bodyBytes(response.body);
  } catch (error) {
    safeLog(
      pending.adapter.logger,
      'error',
      'sessionkit (express): onStoreError body failed',
      error,
    );
    body = undefined;
  }
  pending.state = 'done';
  try {
    sendMap(res, response, body);
  } catch (error) {
    safeLog(
      pending.adapter.logger,
      'error',
      'sessionkit (express): onStoreError response failed',
      error,
    );
    res.destroy();
  }
  pending.state = 'closed';
}

/** Sends a whole response map (an early answer, or a replacement) with its buffered body. */
export function sendMap(
  res: ServerResponse,
  response: ResponseMap,
  body: string | Uint8Array | undefined,
): void {
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  res.statusCode = response.status;
  const headers = response.headers ?? {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) res.setHeader(name, value);
  }
  res.end(body);
}
