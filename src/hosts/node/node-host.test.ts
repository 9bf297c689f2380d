import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { SessionkitError } from '../../core/errors.ts';
import { serve, toNodeListener } from './node-host.ts';
import { nodeHostDefaults } from './options.ts';
import type { Server } from './options.ts';
import { text } from '../../core/response.ts';
import type { Handler, Logger, RequestMap, ResponseMap } from '../../core/types.ts';

interface Entry {
  level: 'debug' | 'warn' | 'error';
  message: string;
  error?: unknown;
}

function recordingLogger(): Logger & { entries: Entry[] } {
  const entries: Entry[] = [];
  return {
    entries,
    debug: (message) => entries.push({ level: 'debug', message }),
    warn: (message) => entries.push({ level: 'warn', message }),
    error: (message, error) => entries.push({ level: 'error', message, error }),
  };
}

/** The request as the handler saw it, in a JSON-friendly shape. */
function echo(request: RequestMap): ResponseMap {
  const body = request.body instanceof Uint8Array ? { bytes: request.body.length } : request.body;
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      method: request.method,
      path: request.path,
      query: [...request.query],
      headers: request.headers,
      scheme: request.scheme,
      remoteAddress: request.remoteAddress,
      form: request.form,
      body,
      formPrototype: request.form === undefined ? 'none' : Object.getPrototypeOf(request.form),
    }),
  };
}

interface Echoed {
  method: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  scheme: string;
  remoteAddress: string;
  form?: Record<string, string | string[]>;
  body?: unknown;
  formPrototype: unknown;
}

async function echoed(response: globalThis.Response): Promise<Echoed> {
  assert.equal(response.status, 200);
  return (await response.json()) as Echoed;
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request through node:http, for what fetch hides (methods, raw bodies, partial sends). */
function raw(
  server: Server,
  options: http.RequestOptions,
  write?: (req: http.ClientRequest) => void,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(server.url, { agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        });
        if (!req.writableEnded) req.destroy(); // a body the server refused to read
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (write === undefined) req.end();
    else write(req);
  });
}

void describe('serve: request translation', () => {
  let server: Server;
  const logger = recordingLogger();
  before(async () => {
    server = await serve(echo, { port: 0, hostname: '127.0.0.1', logger });
  });
  after(() => server.close());

  void it('gives the method, the raw path, the query and lower-case headers', async () => {
    const response = await fetch(`${server.url}/a%20b/c?x=1&x=2&y=%C3%A9`, {
      method: 'DELETE',
      headers: { 'X-Custom': 'yes' },
    });
    const request = await echoed(response);
    assert.equal(request.method, 'DELETE');
    assert.equal(request.path, '/a%20b/c');
    assert.deepEqual(request.query, [
      ['x', '1'],
      ['x', '2'],
      ['y', 'é'],
    ]);
    assert.equal(request.headers['x-custom'], 'yes');
    assert.equal(request.scheme, 'http');
    assert.equal(request.remoteAddress, '127.0.0.1');
  });

  void it('joins duplicate Cookie headers with "; " as node does', async () => {
    const socket = connect(server.port, '127.0.0.1');
    socket.end(
      'GET / HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nCookie: b=2\r\nConnection: close\r\n\r\n',
    );
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    const response = Buffer.concat(chunks).toString();
    const request = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as Echoed;
    assert.equal(request.headers['cookie'], 'a=1; b=2');
  });

  void it('ignores X-Forwarded-Proto and X-Forwarded-For when trustProxy is off', async () => {
    const response = await fetch(server.url, {
      headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '203.0.113.7' },
    });
    const request = await echoed(response);
    assert.equal(request.scheme, 'http');
    assert.equal(request.remoteAddress, '127.0.0.1');
  });

  void it('reads no body on GET and leaves form and body unset', async () => {
    const request = await echoed(await fetch(server.url));
    assert.equal(request.form, undefined);
    assert.equal(request.body, undefined);
  });
});

void describe('serve: trustProxy', () => {
  let server: Server;
  before(async () => {
    server = await serve(echo, { port: 0, hostname: '127.0.0.1', trustProxy: true });
  });
  after(() => server.close());

  void it('takes the scheme from X-Forwarded-Proto and the client from X-Forwarded-For', async () => {
    const response = await fetch(server.url, {
      headers: { 'X-Forwarded-Proto': 'HTTPS, http', 'X-Forwarded-For': '203.0.113.7, 10.0.0.1' },
    });
    const request = await echoed(response);
    assert.equal(request.scheme, 'https');
    assert.equal(request.remoteAddress, '203.0.113.7');
  });

  void it('keeps the connection values when the headers are absent', async () => {
    const request = await echoed(await fetch(server.url));
    assert.equal(request.scheme, 'http');
    assert.equal(request.remoteAddress, '127.0.0.1');
  });
});

void describe('serve: request bodies', () => {
  let server: Server;
  const logger = recordingLogger();
  before(async () => {
    server = await serve(echo, { port: 0, hostname: '127.0.0.1', bodyLimitBytes: 1000, logger });
  });
  after(() => server.close());

  void it('parses an urlencoded form: repeated fields, + and %XX, a bad % escape', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'tag=a&tag=b&q=hello+world%21&bad=100%',
    });
    const request = await echoed(response);
    assert.deepEqual(request.form, { tag: ['a', 'b'], q: 'hello world!', bad: '100%' });
    assert.equal(request.formPrototype, null);
    assert.equal(request.body, undefined);
  });

  void it('parses the text fields of a multipart form and skips its file part', async () => {
    const data = new FormData();
    data.append('title', 'Hello');
    data.append('upload', new Blob(['file content']), 'a.txt');
    data.append('title', 'again');
    const request = await echoed(await fetch(server.url, { method: 'POST', body: data }));
    assert.deepEqual(request.form, { title: ['Hello', 'again'] });
  });

  void it('parses a JSON body', async () => {
    const response = await fetch(server.url, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: '{"a":[1,2]}',
    });
    assert.deepEqual((await echoed(response)).body, { a: [1, 2] });
  });

  void it('gives the raw bytes of another type', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: new Uint8Array(10),
    });
    assert.deepEqual((await echoed(response)).body, { bytes: 10 });
  });

  void it('answers 400 to malformed JSON without calling the handler', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"a":',
    });
    assert.equal(response.status, 400);
    assert.equal(await response.text(), 'Bad Request');
  });

  void it('answers 400 to a broken multipart body', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/form-data; boundary=b' },
      body: '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nno end',
    });
    assert.equal(response.status, 400);
  });

  void it('answers 413 from the Content-Length alone, before reading the body', async () => {
    const response = await raw(
      server,
      { method: 'POST', headers: { 'Content-Length': '5000' } },
      (req) => req.flushHeaders(),
    );
    assert.equal(response.status, 413);
    assert.equal(response.body, 'Payload Too Large');
    assert.equal(response.headers['connection'], 'close');
  });

  void it('answers 413 to a chunked body once it passes the limit, and stops reading', async () => {
    const response = await raw(server, { method: 'POST' }, (req) => {
      // Never ended: the 413 must come while the client is still sending.
      req.write(Buffer.alloc(600));
      req.write(Buffer.alloc(600));
    });
    assert.equal(response.status, 413);
    assert.equal(response.headers['connection'], 'close');
  });

  void it('accepts a body of exactly the limit', async () => {
    const response = await fetch(server.url, { method: 'POST', body: new Uint8Array(1000) });
    assert.deepEqual((await echoed(response)).body, { bytes: 1000 });
  });

  void it('keeps serving after refusals', async () => {
    assert.equal((await echoed(await fetch(`${server.url}/ok`))).path, '/ok');
  });
});

void describe('serve: responses', () => {
  let server: Server;
  const logger = recordingLogger();
  const routes: Record<string, Handler> = {
    '/string': () => text('héllo', 201, { 'x-one': '1' }),
    '/buffer': () => ({ status: 200, body: Buffer.from('bytes') }),
    '/uint8': () => ({ status: 200, body: new TextEncoder().encode('uint8') }),
    '/stream': () => ({ status: 200, body: Readable.from(['a', 'b', 'c']) }),
    '/empty': () => ({ status: 204 }),
    '/null': () => ({ status: 200, body: null }),
    '/cookies': () => ({
      status: 200,
      headers: { 'set-cookie': ['a=1; Path=/', 'b=2; HttpOnly'] },
      body: 'ok',
    }),
    '/async': () => Promise.resolve(text('later')),
    '/leftover': () => ({ status: 200, cookies: { a: '1' }, session: { x: 1 }, body: 'ok' }),
  };
  before(async () => {
    const handler: Handler = (request) =>
      routes[request.path]?.(request) ?? { status: 404, body: 'Not Found' };
    server = await serve(handler, { port: 0, hostname: '127.0.0.1', logger });
  });
  after(() => server.close());

  void it('sends a string body with its status, headers and a Content-Length', async () => {
    const response = await fetch(`${server.url}/string`);
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('x-one'), '1');
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(response.headers.get('content-length'), String(Buffer.byteLength('héllo')));
    assert.equal(await response.text(), 'héllo');
  });

  void it('sends Buffer and Uint8Array bodies', async () => {
    assert.equal(await (await fetch(`${server.url}/buffer`)).text(), 'bytes');
    assert.equal(await (await fetch(`${server.url}/uint8`)).text(), 'uint8');
  });

  void it('pipes a stream body', async () => {
    assert.equal(await (await fetch(`${server.url}/stream`)).text(), 'abc');
  });

  void it('sends an empty body for no body, null, and a promised response', async () => {
    const empty = await fetch(`${server.url}/empty`);
    assert.equal(empty.status, 204);
    assert.equal(await empty.text(), '');
    assert.equal(await (await fetch(`${server.url}/null`)).text(), '');
    assert.equal(await (await fetch(`${server.url}/async`)).text(), 'later');
  });

  void it('keeps two Set-Cookie headers separate', async () => {
    const response = await fetch(`${server.url}/cookies`);
    assert.deepEqual(response.headers.getSetCookie(), ['a=1; Path=/', 'b=2; HttpOnly']);
  });

  void it('sends headers but no body on HEAD, for string and stream bodies', async () => {
    const string = await raw(server, { method: 'HEAD', path: '/string' });
    assert.equal(string.status, 201);
    assert.equal(string.headers['x-one'], '1');
    assert.equal(string.body, '');
    const stream = await raw(server, { method: 'HEAD', path: '/stream' });
    assert.equal(stream.status, 200);
    assert.equal(stream.body, '');
  });

  void it('answers 500 for a response whose session or cookies no middleware handled, naming the fix', async () => {
    const response = await fetch(`${server.url}/leftover`);
    assert.equal(response.status, 500);
    assert.equal(await response.text(), 'Internal Server Error');
    assert.deepEqual(response.headers.getSetCookie(), []);
    const error = logger.entries.at(-1)?.error;
    assert.ok(error instanceof SessionkitError && error.code === 'missing_middleware');
    assert.match(error.message, /sets session but wrapSession did not handle it/);
    assert.match(error.message, /wrapDefaults\(\)/);
  });
});

void describe('serve: failures', () => {
  let server: Server;
  let midBody: PassThrough | undefined;
  const logger = recordingLogger();
  const routes: Record<string, Handler> = {
    '/throws': () => {
      throw new Error('boom');
    },
    '/rejects': () => Promise.reject(new Error('async boom')),
    '/not-a-response': () => 'hello' as unknown as ResponseMap,
    '/nothing': () => undefined,
    '/null': () => Promise.resolve(null),
    '/bad-header': () => ({ status: 200, headers: { 'x-bad': 'a\r\nb' }, body: 'x' }),
    '/bad-body': () => ({ status: 200, body: 42 as unknown as string }),
    '/stream-error-early': () => ({
      status: 200,
      headers: { 'x-from-handler': '1' },
      body: new Readable({
        read() {
          this.destroy(new Error('no such file'));
        },
      }),
    }),
    '/stream-error': () => {
      midBody = new PassThrough();
      midBody.write('partial');
      return { status: 200, body: midBody };
    },
  };
  before(async () => {
    const handler: Handler = (request) => {
      const route = routes[request.path];
      return route === undefined ? text(`ok ${request.path}`) : route(request);
    };
    server = await serve(handler, { port: 0, hostname: '127.0.0.1', logger });
  });
  after(() => server.close());

  function logged(path: string): Entry | undefined {
    return logger.entries.find((entry) => entry.level === 'error' && entry.message.includes(path));
  }

  void it('answers 500 with a generic body when the handler throws, logs it, and keeps serving', async () => {
    const response = await fetch(`${server.url}/throws`);
    assert.equal(response.status, 500);
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await response.text(), 'Internal Server Error');
    const entry = logged('/throws');
    assert.ok(entry);
    assert.match(entry.message, /GET \/throws/);
    assert.equal((entry.error as Error).message, 'boom');
    assert.equal(await (await fetch(`${server.url}/next`)).text(), 'ok /next');
  });

  void it('answers 500 when the handler rejects', async () => {
    const response = await fetch(`${server.url}/rejects`, { method: 'POST' });
    assert.equal(response.status, 500);
    assert.equal(await response.text(), 'Internal Server Error');
    assert.equal((logged('POST /rejects')?.error as Error).message, 'async boom');
  });

  void it('answers 500 when the handler returns something that is not a response', async () => {
    const response = await fetch(`${server.url}/not-a-response`);
    assert.equal(response.status, 500);
    assert.ok(logged('/not-a-response'));
  });

  void it("answers 404 when the handler returns no response (Ring's nil), logged at debug level only", async () => {
    for (const path of ['/nothing', '/null']) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 404);
      assert.equal(await response.text(), 'Not Found');
      assert.equal(logged(path), undefined);
      assert.ok(
        logger.entries.some(
          (entry) =>
            entry.level === 'debug' &&
            entry.message === `node host: GET ${path}: no response; answered 404`,
        ),
      );
    }
  });

  void it('answers 500 without the handler headers when a header or the body is invalid', async () => {
    const header = await fetch(`${server.url}/bad-header`);
    assert.equal(header.status, 500);
    assert.equal(header.headers.get('x-bad'), null);
    assert.equal((await fetch(`${server.url}/bad-body`)).status, 500);
    assert.ok(logged('/bad-header'));
    assert.ok(logged('/bad-body'));
  });

  void it('answers 500 when a stream body fails before its first byte', async () => {
    const response = await fetch(`${server.url}/stream-error-early`);
    assert.equal(response.status, 500);
    assert.equal(response.headers.get('x-from-handler'), null);
    assert.equal(await response.text(), 'Internal Server Error');
    assert.equal((logged('/stream-error-early')?.error as Error).message, 'no such file');
  });

  void it('cuts the connection when a stream fails mid-body, logs it, and keeps serving', async () => {
    const response = await fetch(`${server.url}/stream-error`);
    assert.equal(response.status, 200);
    midBody!.destroy(new Error('disk on fire'));
    await assert.rejects(response.text());
    const entry = logged('GET /stream-error: response body stream failed');
    assert.ok(entry);
    assert.equal((entry.error as Error).message, 'disk on fire');
    assert.equal(await (await fetch(`${server.url}/next`)).text(), 'ok /next');
  });
});

void describe('serve: parseBody, the per-route opt-out of eager parsing', () => {
  let server: Server;
  before(async () => {
    server = await serve(
      async (request) => {
        if (request.path !== '/raw') return echo(request);
        const chunks: Buffer[] = [];
        for await (const chunk of request.body as AsyncIterable<Buffer>) chunks.push(chunk);
        return text(`read ${Buffer.concat(chunks).length} bytes: ${String(request.form)}`);
      },
      {
        port: 0,
        hostname: '127.0.0.1',
        bodyLimitBytes: 1024,
        parseBody: (request) => request.path !== '/raw',
        logger: recordingLogger(),
      },
    );
  });
  after(() => server.close());

  void it('Q-08: a route that opts out gets the unread body as a stream: not parsed, not refused', async () => {
    const post = (path: string, body: string) =>
      fetch(server.url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const malformed = '['.repeat(2000);
    assert.equal(await (await post('/raw', malformed)).text(), 'read 2000 bytes: undefined');
    assert.equal((await post('/other', malformed)).status, 413, 'eager parsing keeps its limit');
    assert.equal((await post('/other', '[[')).status, 400);
    assert.deepEqual((await echoed(await post('/other', '[1]'))).body, [1]);
  });

  void it('refuses a parseBody that is neither a boolean nor a function', () => {
    assert.throws(
      () => toNodeListener(() => text('x'), { parseBody: 'no' as never }),
      /toNodeListener: option parseBody is invalid: got "no", expected true, false or a function/,
    );
  });
});

void describe('serve: timeouts and connections', () => {
  void it('Q-10: passes requestTimeout, headersTimeout, keepAliveTimeout and maxConnections to node', async () => {
    const server = await serve(() => text('x'), {
      port: 0,
      hostname: '127.0.0.1',
      requestTimeout: 9000,
      headersTimeout: 4000,
      keepAliveTimeout: 1500,
      maxConnections: 50,
    });
    try {
      const node = server.httpServer;
      assert.deepEqual(
        [node.requestTimeout, node.headersTimeout, node.keepAliveTimeout, node.maxConnections],
        [9000, 4000, 1500, 50],
      );
    } finally {
      await server.close();
    }
  });

  void it('Q-10: without them, the documented defaults', async () => {
    const server = await serve(() => text('x'), { port: 0, hostname: '127.0.0.1' });
    try {
      const node = server.httpServer;
      assert.deepEqual(
        [node.requestTimeout, node.headersTimeout, node.keepAliveTimeout, node.maxConnections],
        [
          nodeHostDefaults.requestTimeout,
          nodeHostDefaults.headersTimeout,
          nodeHostDefaults.keepAliveTimeout,
          nodeHostDefaults.maxConnections,
        ],
      );
      assert.deepEqual(
        [30_000, 20_000, 5000],
        [
          nodeHostDefaults.requestTimeout,
          nodeHostDefaults.headersTimeout,
          nodeHostDefaults.keepAliveTimeout,
        ],
      );
    } finally {
      await server.close();
    }
  });

  void it('Q-10: a connection past maxConnections is closed without an answer', async () => {
    const server = await serve(() => text('hi'), {
      port: 0,
      hostname: '127.0.0.1',
      maxConnections: 1,
    });
    const first = connect(server.port, '127.0.0.1');
    try {
      await once(first, 'connect');
      first.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'); // kept alive: holds the one slot
      await once(first, 'data');
      const second = connect(server.port, '127.0.0.1');
      const answer: Buffer[] = [];
      second.on('data', (chunk: Buffer) => answer.push(chunk));
      second.on('error', () => undefined);
      second.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await once(second, 'close');
      assert.equal(Buffer.concat(answer).length, 0);
    } finally {
      first.destroy();
      await server.close();
    }
  });

  void it('Q-10: a client that sends its headers too slowly gets 408 and is disconnected', async () => {
    const server = await serve(() => text('hi'), {
      port: 0,
      hostname: '127.0.0.1',
      headersTimeout: 200,
      requestTimeout: 400,
    });
    const slow = connect(server.port, '127.0.0.1');
    try {
      await once(slow, 'connect');
      const answer: Buffer[] = [];
      slow.on('data', (chunk: Buffer) => answer.push(chunk));
      slow.write('GET / HTTP/1.1\r\nHost: x\r\n'); // and never the blank line
      const started = Date.now();
      await once(slow, 'close');
      assert.match(Buffer.concat(answer).toString(), /^HTTP\/1\.1 408 /);
      assert.ok(Date.now() - started < 5000, "cut off well before Node's 30-second check");
    } finally {
      slow.destroy();
      await server.close();
    }
  });

  void it('refuses timeouts and limits node would refuse, naming the option', () => {
    const handler: Handler = () => text('x');
    const cases: [object, RegExp][] = [
      [{ requestTimeout: -1 }, /option requestTimeout is invalid: got -1/],
      [{ headersTimeout: 1.5 }, /option headersTimeout is invalid/],
      [{ keepAliveTimeout: '5s' }, /option keepAliveTimeout is invalid/],
      [{ maxConnections: 0 }, /option maxConnections is invalid: got 0/],
      [
        { requestTimeout: 1000, headersTimeout: 2000 },
        /option headersTimeout is invalid: got 2000, expected .*requestTimeout \(1000\)/,
      ],
    ];
    for (const [options, message] of cases) {
      assert.throws(() => serve(handler, options as never), message, JSON.stringify(options));
    }
    assert.throws(
      () => toNodeListener(handler, { requestTimeout: 1000 } as never),
      /option requestTimeout is invalid.*unknown option/,
    );
  });
});

void describe('toNodeListener', () => {
  void it('works as a listener for http.createServer', async () => {
    const httpServer = http.createServer(toNodeListener(() => text('from listener')));
    httpServer.listen(0, '127.0.0.1');
    await once(httpServer, 'listening');
    try {
      const { port } = httpServer.address() as { port: number };
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'from listener');
    } finally {
      httpServer.close();
      httpServer.closeAllConnections();
    }
  });

  void it('throws at construction on invalid options, naming the option', () => {
    const handler: Handler = () => text('x');
    const cases: [unknown, RegExp][] = [
      [{ bodyLimitBytes: -1 }, /option bodyLimitBytes is invalid: got -1/],
      [{ bodyLimitBytes: 1.5 }, /option bodyLimitBytes is invalid/],
      [{ bodyLimitBytes: '1mb' }, /option bodyLimitBytes is invalid/],
      [{ trustProxy: 'yes' }, /option trustProxy is invalid: got "yes", expected true or false/],
      [{ logger: console.log }, /option logger is invalid/],
      [{ logger: { warn: () => undefined } }, /option logger is invalid/],
      [{ trustProxies: true }, /option trustProxies is invalid.*unknown option/],
      [null, /option options is invalid/],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => toNodeListener(handler, options as never),
        (error: unknown) =>
          error instanceof SessionkitError &&
          error.code === 'invalid_option' &&
          error.message.startsWith('toNodeListener: ') &&
          message.test(error.message),
        JSON.stringify(options),
      );
    }
    assert.throws(() => toNodeListener('app' as never), /option handler is invalid/);
  });
});

void describe('serve', () => {
  void it('throws synchronously on invalid options, naming the option', () => {
    const handler: Handler = () => text('x');
    assert.throws(
      () => serve(handler, { port: 70000 }),
      /serve: option port is invalid: got 70000/,
    );
    assert.throws(() => serve(handler, { port: -1 }), /option port is invalid/);
    assert.throws(() => serve(handler, { hostname: '' }), /option hostname is invalid/);
    assert.throws(() => serve(handler, { bodyLimitBytes: -1 }), /serve: option bodyLimitBytes/);
  });

  void it('resolves with the picked port and a url', async () => {
    const server = await serve(() => text('hi'), { port: 0, hostname: '127.0.0.1' });
    try {
      assert.ok(server.port > 0);
      assert.equal(server.url, `http://127.0.0.1:${server.port}`);
      assert.equal(await (await fetch(server.url)).text(), 'hi');
    } finally {
      await server.close();
    }
  });

  void it('rejects when the port is taken', async () => {
    const logger = recordingLogger();
    const first = await serve(() => text('hi'), { port: 0, hostname: '127.0.0.1', logger });
    try {
      await assert.rejects(
        serve(() => text('hi'), { port: first.port, hostname: '127.0.0.1' }),
        {
          code: 'EADDRINUSE',
        },
      );
    } finally {
      await first.close();
    }
  });

  void it('close() ends idle keep-alive connections and requests in flight', async () => {
    let reached: () => void = () => undefined;
    const hangReached = new Promise<void>((resolve) => (reached = resolve));
    const server = await serve(
      (request) => {
        if (request.path !== '/hang') return text('hi');
        reached();
        return new Promise<ResponseMap>(() => undefined);
      },
      { port: 0, hostname: '127.0.0.1', logger: recordingLogger() },
    );
    const agent = new http.Agent({ keepAlive: true });
    try {
      const idle = await raw(server, { agent, path: '/' });
      assert.equal(idle.status, 200);
      const hanging = new Promise<unknown>((resolve) => {
        http.get(`${server.url}/hang`, { agent: false }).on('error', resolve);
      });
      await hangReached;
      await server.close();
      assert.ok((await hanging) instanceof Error);
      await assert.rejects(fetch(server.url));
      assert.equal(await server.close(), undefined); // a second close resolves too
    } finally {
      agent.destroy();
    }
  });
});
