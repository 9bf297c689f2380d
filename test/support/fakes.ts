import type { SessionStore, StoredSession } from '../../src/session/store.ts';
import assert from 'node:assert/strict';
import type {
  HandlerResult,
  Logger,
  RequestMap,
  RequestHeaders,
  ResponseMap,
  SessionData,
} from '../../src/core/types.ts';

/** A request as a host would build it. */
export function request(
  init: {
    method?: string;
    path?: string;
    headers?: RequestHeaders;
    scheme?: 'http' | 'https';
    form?: Record<string, string>;
  } = {},
): RequestMap {
  const path = init.path ?? '/';
  const q = path.indexOf('?');
  return {
    method: init.method ?? 'GET',
    path: q === -1 ? path : path.slice(0, q),
    query: new URLSearchParams(q === -1 ? '' : path.slice(q + 1)),
    headers: init.headers ?? {},
    scheme: init.scheme ?? 'http',
    ...(init.form === undefined ? {} : { form: Object.assign(Object.create(null), init.form) }),
  };
}

/** The handler's result, asserted to be a response (not Ring's nil). */
export function responseOf(result: HandlerResult): ResponseMap {
  assert.ok(result, 'the handler gave a response');
  return result;
}

/** The Set-Cookie lines of a response. */
export function setCookies(result: HandlerResult): string[] {
  const headers = responseOf(result).headers ?? {};
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === 'set-cookie') {
      const value = headers[name];
      return Array.isArray(value) ? [...(value as string[])] : [String(value)];
    }
  }
  return [];
}

/** `name=value` of the first Set-Cookie for `name`, as a Cookie header would carry it back. */
export function cookieFrom(response: HandlerResult, name: string): string | undefined {
  const line = setCookies(response).find((l) => l.startsWith(`${name}=`));
  return line?.split(';')[0];
}

/** A logger that keeps what it was told. */
export class RecordingLogger implements Logger {
  warnings: string[] = [];
  errors: string[] = [];
  /** The error objects passed along with `error` messages. */
  failures: unknown[] = [];
  debugs: string[] = [];
  warn(message: string): void {
    this.warnings.push(message);
  }
  error(message: string, error?: unknown): void {
    this.errors.push(message);
    if (error !== undefined) this.failures.push(error);
  }
  debug(message: string): void {
    this.debugs.push(message);
  }
}

/** A store at the boundary that records calls and can be made to fail. */
export class RecordingStore implements SessionStore {
  calls: string[] = [];
  fail: Partial<Record<'read' | 'write' | 'touch' | 'delete', Error>> = {};
  readonly inner: SessionStore;
  constructor(inner: SessionStore) {
    this.inner = inner;
  }
  async read(key: string): Promise<StoredSession | undefined> {
    this.calls.push(`read ${key.slice(0, 8)}`);
    if (this.fail.read) throw this.fail.read;
    return this.inner.read(key);
  }
  async write(
    key: string | undefined,
    data: SessionData,
    createdAt?: number,
  ): Promise<string | undefined> {
    this.calls.push('write');
    if (this.fail.write) throw this.fail.write;
    return this.inner.write(key, data, createdAt);
  }
  async touch(key: string): Promise<string | undefined> {
    this.calls.push('touch');
    if (this.fail.touch) throw this.fail.touch;
    return this.inner.touch(key);
  }
  async delete(key: string): Promise<void> {
    this.calls.push('delete');
    if (this.fail.delete) throw this.fail.delete;
    return this.inner.delete(key);
  }
}
