/**
 * A browser-like HTTP/1.1 load generator. Each virtual user is what one browser tab is to a
 * site: one keep-alive connection (a raw `node:net` socket, one request in flight at a time,
 * no pipelining, as browsers do), the request headers a desktop Chrome sends for a page, and
 * its own cookie jar that takes every `Set-Cookie` it is answered, so a session cookie that
 * changes on every write is the one sent back on the next request.
 *
 * Every answer is checked: the status must be 200 and, on a session route, the body must be
 * the counter this user expects (a lost write, a cookie not taken or a session not opened
 * shows up as a mismatch). The generator is kept cheap, so that the server stays the
 * bottleneck: requests are built from a fixed prefix and the user's Cookie line, and only the
 * status line, `Set-Cookie`, `Content-Length` and `Transfer-Encoding` of an answer are read.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { REALISTIC_COOKIE_HEADER } from './cookie.ts';

/** What a request does to the session, and so what its answer must show. */
export type Step = 'write' | 'read';

/** A mix of requests: which step request number `i` of user `user` is. */
export interface Workload {
  /** Short name, used in tables and the chart. */
  name: string;
  /** One line for the report. */
  description: string;
  step(user: number, i: number): Step;
}

/** Read, increment and write the session on every request. */
export const readWrite: Workload = {
  name: 'read-write',
  description: 'every request reads the session counter, increments it and writes it back',
  step: () => 'write',
};

/**
 * 90 % reads, 10 % writes: every tenth request of a user writes, the users offset from one
 * another so that the writes are spread evenly over time.
 */
export const readMostly: Workload = {
  name: 'read-mostly',
  description: '90 % of requests read the session, 10 % increment it; sliding refresh every second',
  step: (user, i) => ((user + i) % 10 === 0 ? 'write' : 'read'),
};

/** Where the generator sends requests. */
export interface Target {
  port: number;
  /** Paths of the two steps. */
  paths: Record<Step, string>;
  /** False for a server without sessions: its bodies are not checked. */
  sessions: boolean;
}

/** Counts of one user, or of all users together. */
export interface LoadCounts {
  /** Answers received and checked. */
  responses: number;
  /** Answers that carried at least one Set-Cookie. */
  withSetCookie: number;
  /** Request bytes sent (headers; GET has no body), to report the Cookie header's weight. */
  requestBytes: number;
}

/**
 * Cookies a browser on a shop-like site also carries besides the session: the Google
 * Analytics ids, the OneTrust consent cookie, the language and the JSON preference of
 * bench/cookie.ts's header (about 450 bytes). Every server gets them; those that parse every
 * cookie pay for it, as they would in production.
 */
const thirdPartyCookies = REALISTIC_COOKIE_HEADER.split('; ').filter(
  (pair) => !pair.startsWith('__Host-session='),
);

/** The headers desktop Chrome 124 sends for a same-origin page load, up to the Cookie line. */
function requestHead(port: number, path: string): string {
  return (
    `GET ${path} HTTP/1.1\r\n` +
    `Host: 127.0.0.1:${port}\r\n` +
    'Connection: keep-alive\r\n' +
    'sec-ch-ua: "Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"\r\n' +
    'sec-ch-ua-mobile: ?0\r\n' +
    'sec-ch-ua-platform: "Linux"\r\n' +
    'Upgrade-Insecure-Requests: 1\r\n' +
    'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n' +
    'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n' +
    'Sec-Fetch-Site: same-origin\r\n' +
    'Sec-Fetch-Mode: navigate\r\n' +
    'Sec-Fetch-User: ?1\r\n' +
    'Sec-Fetch-Dest: document\r\n' +
    `Referer: http://127.0.0.1:${port}/\r\n` +
    'Accept-Encoding: gzip, deflate, br, zstd\r\n' +
    'Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n'
  );
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * Where every connection's reads land (`onread`): answers are parsed before the callback
 * returns, so one buffer serves all, and no buffer is allocated per read.
 */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

/** A cookie jar of one origin and path: name → `name=value`, in insertion order. */
class CookieJar {
  readonly #cookies = new Map<string, string>();
  #line = '';

  constructor(initial: readonly string[]) {
    for (const pair of initial) this.#cookies.set(pair.slice(0, pair.indexOf('=')), pair);
    this.#rebuild();
  }

  /** The `Cookie:` header line (with CRLF), or '' when the jar is empty. */
  get line(): string {
    return this.#line;
  }

  /**
   * Takes one Set-Cookie value as a browser would for a path-`/` cookie: `name=value` replaces
   * the cookie of that name; a Max-Age of 0 or less, or (without Max-Age) an Expires in the
   * past, removes it (RFC 6265bis §5.6.1, §5.6.2). Other attributes do not change what is sent
   * back to 127.0.0.1.
   */
  take(setCookie: string): void {
    const semicolon = setCookie.indexOf(';');
    const pair = (semicolon === -1 ? setCookie : setCookie.slice(0, semicolon)).trim();
    const eq = pair.indexOf('=');
    if (eq < 1) return;
    const name = pair.slice(0, eq);
    if (semicolon !== -1 && expires(setCookie.slice(semicolon).toLowerCase())) {
      if (!this.#cookies.delete(name)) return;
    } else {
      if (this.#cookies.get(name) === pair) return;
      this.#cookies.set(name, pair);
    }
    this.#rebuild();
  }

  #rebuild(): void {
    this.#line =
      this.#cookies.size === 0 ? '' : `Cookie: ${[...this.#cookies.values()].join('; ')}\r\n`;
  }
}

/** The value of attribute `name` (lower-case, with "=") in lower-cased attributes, or undefined. */
function attribute(attributes: string, name: string): string | undefined {
  const at = attributes.indexOf(`; ${name}`);
  if (at === -1) return undefined;
  const start = at + 2 + name.length;
  const end = attributes.indexOf(';', start);
  return attributes.slice(start, end === -1 ? attributes.length : end).trim();
}

/** True when lower-cased attributes (from the first ";") delete the cookie. */
function expires(attributes: string): boolean {
  const maxAge = attribute(attributes, 'max-age=');
  if (maxAge !== undefined && /^-?\d+$/.test(maxAge)) return Number(maxAge) <= 0;
  const date = attribute(attributes, 'expires=');
  if (date === undefined) return false;
  const time = Date.parse(date);
  return Number.isFinite(time) && time <= Date.now();
}

/** One parsed answer. */
interface Answer {
  status: number;
  body: string;
  setCookies: string[];
}

/**
 * Reads HTTP/1.1 answers off a byte stream: the status line, the headers this generator
 * needs, then a body sized by Content-Length or sent chunked. The bytes arrive in a buffer
 * shared by every connection (`onread`), so an answer split over reads is copied aside.
 */
class AnswerReader {
  #pending: Buffer | undefined;

  /**
   * Reads `data[0..length)`; returns the answer once a whole one has arrived (at most one is
   * in flight).
   */
  push(data: Buffer, length: number): Answer | undefined {
    let buffer = data;
    let size = length;
    if (this.#pending !== undefined) {
      buffer = Buffer.concat([this.#pending, data.subarray(0, length)]);
      size = buffer.length;
    }
    const answer = parseAnswer(buffer, size);
    this.#pending = answer === undefined ? Buffer.from(buffer.subarray(0, size)) : undefined;
    return answer;
  }
}

/** The answer in `buffer[0..size)`, or undefined while it is incomplete. */
function parseAnswer(buffer: Buffer, size: number): Answer | undefined {
  const headEnd = buffer.indexOf(CRLFCRLF);
  if (headEnd === -1 || headEnd >= size) return undefined;
  const head = buffer.toString('latin1', 0, headEnd);
  const lower = head.toLowerCase();
  const status = Number(head.slice(9, 12));
  const setCookies: string[] = [];
  for (let at = lower.indexOf('\r\nset-cookie:'); at !== -1;) {
    const next = lower.indexOf('\r\n', at + 2);
    setCookies.push(head.slice(at + 13, next === -1 ? head.length : next).trim());
    at = next === -1 ? -1 : lower.indexOf('\r\nset-cookie:', next);
  }
  const bodyStart = headEnd + 4;
  const te = lower.indexOf('\r\ntransfer-encoding:');
  let body: string;
  let end: number;
  if (te !== -1 && lower.slice(te, lower.indexOf('\r\n', te + 2) >>> 0).includes('chunked')) {
    const read = readChunked(buffer, bodyStart, size);
    if (read === undefined) return undefined;
    [body, end] = read;
  } else {
    const cl = lower.indexOf('\r\ncontent-length:');
    const length = cl === -1 ? 0 : parseInt(head.slice(cl + 17, cl + 40), 10);
    end = bodyStart + length;
    if (size < end) return undefined;
    body = buffer.toString('latin1', bodyStart, end);
  }
  if (end !== size) throw new Error(`bench: ${size - end} unexpected bytes after an answer`);
  return { status, body, setCookies };
}

/** A chunked body from `start`: the body and where it ends, or undefined until all arrived. */
function readChunked(buffer: Buffer, start: number, size: number): [string, number] | undefined {
  let body = '';
  let pos = start;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', pos);
    if (lineEnd === -1 || lineEnd >= size) return undefined;
    const chunkSize = parseInt(buffer.toString('latin1', pos, lineEnd), 16);
    if (!Number.isFinite(chunkSize)) throw new Error('bench: a malformed chunk size');
    if (chunkSize === 0) {
      // No trailers are sent by the servers measured: the last chunk ends with one CRLF more.
      if (size < lineEnd + 4) return undefined;
      return [body, lineEnd + 4];
    }
    const dataEnd = lineEnd + 2 + chunkSize;
    if (size < dataEnd + 2) return undefined;
    body += buffer.toString('latin1', lineEnd + 2, dataEnd);
    pos = dataEnd + 2;
  }
}

/** One virtual user: a connection, a jar, a counter it expects, and its request number. */
class VirtualUser {
  readonly counts: LoadCounts = { responses: 0, withSetCookie: 0, requestBytes: 0 };
  readonly #index: number;
  readonly #target: Target;
  readonly #workload: Workload;
  readonly #heads: Record<Step, string>;
  readonly #jar = new CookieJar(thirdPartyCookies);
  readonly #reader = new AnswerReader();
  readonly #socket: Socket;
  #request = 0;
  #counter = 0;
  #step: Step = 'write';
  #stopping = false;
  #failure: Error | undefined;
  #onIdle: (() => void) | undefined;

  constructor(index: number, target: Target, workload: Workload) {
    this.#index = index;
    this.#target = target;
    this.#workload = workload;
    this.#heads = {
      write: requestHead(target.port, target.paths.write),
      read: requestHead(target.port, target.paths.read),
    };
    this.#socket = connect({
      host: '127.0.0.1',
      port: target.port,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (length, buffer) => {
          this.#receive(buffer, length);
          return true;
        },
      },
    });
    this.#socket.on('error', (error) => this.#fail(error));
    this.#socket.on('close', () => {
      if (!this.#stopping) this.#fail(new Error('the server closed the connection'));
    });
  }

  /** The first error this user met (a bad answer, a closed socket), if any. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Sends the first request, a write that creates the session; the rest follow each answer. */
  start(): void {
    this.#send('write');
  }

  /** Stops after the answer in flight; resolves when the connection is closed. */
  stop(): Promise<void> {
    this.#stopping = true;
    return new Promise((resolve) => {
      const close = (): void => {
        this.#socket.once('close', () => resolve());
        this.#socket.destroy();
      };
      if (this.#failure !== undefined || this.#socket.destroyed) resolve();
      else this.#onIdle = close;
    });
  }

  #send(step: Step): void {
    this.#step = step;
    const request = `${this.#heads[step]}${this.#jar.line}\r\n`;
    this.counts.requestBytes += request.length;
    this.#socket.write(request, 'latin1');
  }

  #receive(data: Uint8Array, length: number): void {
    let answer: Answer | undefined;
    try {
      answer = this.#reader.push(data as Buffer, length);
    } catch (error) {
      this.#fail(error as Error);
      return;
    }
    if (answer === undefined) return;
    for (const line of answer.setCookies) this.#jar.take(line);
    if (!this.#check(answer)) return;
    this.counts.responses++;
    if (answer.setCookies.length > 0) this.counts.withSetCookie++;
    if (this.#stopping) {
      this.#onIdle?.();
      return;
    }
    this.#send(this.#workload.step(this.#index, ++this.#request));
  }

  /** The answer is a 200 with the counter this user expects; false (and failed) otherwise. */
  #check(answer: Answer): boolean {
    if (answer.status !== 200) {
      this.#fail(new Error(`status ${answer.status} on a ${this.#step}`));
      return false;
    }
    if (!this.#target.sessions) return true;
    if (this.#step === 'write') this.#counter++;
    if (answer.body !== String(this.#counter)) {
      this.#fail(
        new Error(
          `a ${this.#step} answered ${JSON.stringify(answer.body.slice(0, 40))}, expected ${this.#counter}: the session was not kept`,
        ),
      );
      return false;
    }
    return true;
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#socket.destroy();
    this.#onIdle?.();
  }
}

/** A running load: users started, counts readable at any time. */
export class Load {
  readonly #users: VirtualUser[];

  /** Connects `users` virtual users to `target` and starts each one's first request. */
  constructor(target: Target, workload: Workload, users: number) {
    this.#users = Array.from({ length: users }, (_, i) => new VirtualUser(i, target, workload));
    for (const user of this.#users) user.start();
  }

  /** The counts of all users together, so far. */
  counts(): LoadCounts {
    const total: LoadCounts = { responses: 0, withSetCookie: 0, requestBytes: 0 };
    for (const { counts } of this.#users) {
      total.responses += counts.responses;
      total.withSetCookie += counts.withSetCookie;
      total.requestBytes += counts.requestBytes;
    }
    return total;
  }

  /** Throws the first failure of any user, naming how many failed. */
  check(): void {
    const failed = this.#users.filter((user) => user.failure !== undefined);
    if (failed.length > 0) {
      throw new Error(
        `${failed.length} of ${this.#users.length} virtual users failed; the first: ${failed[0]!.failure!.message}`,
      );
    }
  }

  /** Stops every user after its answer in flight and closes the connections. */
  async stop(): Promise<void> {
    await Promise.all(this.#users.map((user) => user.stop()));
  }
}
