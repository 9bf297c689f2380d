// One client for every test that talks HTTP: a cookie jar like a browser's (one site), over
// any fetch-like function (a real server's URL, or a handler called in process).

/** What the client sends requests through: a path (and query) and fetch's init. */
export type Fetch = (path: string, init?: RequestInit) => Promise<globalThis.Response>;

/** A browser of one site: keeps every cookie the server sets and sends them back. */
export class Client {
  /** name → value, as the next request's Cookie header carries them. */
  readonly jar = new Map<string, string>();
  readonly #fetch: Fetch;
  readonly #headers: Record<string, string>;

  /** `headers` go on every request (for instance a Host). */
  constructor(fetch: Fetch, headers: Record<string, string> = {}) {
    this.#fetch = fetch;
    this.#headers = headers;
  }

  /** Sends a request with the jar's cookies and takes every Set-Cookie of the answer. */
  async request(path: string, init: RequestInit = {}): Promise<globalThis.Response> {
    const headers = new Headers(this.#headers);
    for (const [name, value] of new Headers(init.headers)) headers.set(name, value);
    if (this.jar.size > 0 && !headers.has('cookie')) headers.set('cookie', this.cookieHeader());
    const response = await this.#fetch(path, { redirect: 'manual', ...init, headers });
    for (const line of response.headers.getSetCookie()) this.take(line);
    return response;
  }

  get(path: string, init: RequestInit = {}): Promise<globalThis.Response> {
    return this.request(path, { ...init, method: 'GET' });
  }

  /** POSTs `fields` as an urlencoded form. */
  post(
    path: string,
    fields: Record<string, string>,
    init: { headers?: Record<string, string> } = {},
  ): Promise<globalThis.Response> {
    return this.send('POST', path, { ...init, form: fields });
  }

  /** A request of any method, with headers and an optional urlencoded form. */
  send(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; form?: Record<string, string> } = {},
  ): Promise<globalThis.Response> {
    if (init.form === undefined) return this.request(path, { method, headers: init.headers ?? {} });
    const headers = new Headers(init.headers);
    headers.set('content-type', 'application/x-www-form-urlencoded');
    return this.request(path, { method, headers, body: new URLSearchParams(init.form).toString() });
  }

  async text(path: string): Promise<string> {
    return (await this.get(path)).text();
  }

  async json(path: string): Promise<unknown> {
    return (await this.get(path)).json();
  }

  /** The value of a cookie in the jar. */
  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  /** The Cookie header the jar would send. */
  cookieHeader(): string {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Stores one Set-Cookie line: `Max-Age=0` (or a past Expires) removes the cookie. */
  take(line: string): void {
    const [pair = '', ...attributes] = line.split(/;\s*/);
    const equals = pair.indexOf('=');
    const name = pair.slice(0, equals);
    const value = pair.slice(equals + 1);
    const expired = attributes.some((attribute) => {
      const [key = '', val = ''] = attribute.split('=');
      if (key.toLowerCase() === 'max-age') return Number(val) <= 0;
      if (key.toLowerCase() === 'expires') return Date.parse(val) <= Date.now();
      return false;
    });
    if (expired) this.jar.delete(name);
    else this.jar.set(name, value);
  }
}

/** The token in a page's hidden `__anti-forgery-token` input. */
export function formToken(page: string): string {
  const token = /name="__anti-forgery-token"[^>]*value="([^"]+)"/.exec(page)?.[1];
  if (token === undefined) throw new Error('no anti-forgery token in the page');
  return token;
}
