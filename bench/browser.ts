/**
 * What a browser sends and reads, for bench/load.ts: the request headers of desktop Chrome,
 * a cookie jar that takes every Set-Cookie, and a reader of HTTP/1.1 answers that looks only
 * at the status line, Set-Cookie and the framing headers.
 */
import { REALISTIC_COOKIE_HEADER } from './cookie.ts';

/**
 * Cookies a browser on a shop-like site also carries besides the session: the Google
 * Analytics ids, the OneTrust consent cookie, the language and the JSON preference of
 * bench/cookie.ts's header (about 450 bytes). Every server gets them; those that parse every
 * cookie pay for it, as they would in production.
 */
export const thirdPartyCookies = REALISTIC_COOKIE_HEADER.split('; ').filter(
  (pair) => !pair.startsWith('__Host-session='),
);

/** The headers desktop Chrome 124 sends for a same-origin page load, up to the Cookie line. */
export function requestHead(port: number, path: string): string {
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
export const readBuffer = Buffer.allocUnsafe(64 * 1024);

/** A cookie jar of one origin and path: name → `name=value`, in insertion order. */
export class CookieJar {
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
export interface Answer {
  status: number;
  body: string;
  setCookies: string[];
}

/**
 * Reads HTTP/1.1 answers off a byte stream: the status line, the headers this generator
 * needs, then a body sized by Content-Length or sent chunked. The bytes arrive in a buffer
 * shared by every connection (`onread`), so an answer split over reads is copied aside.
 */
export class AnswerReader {
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
