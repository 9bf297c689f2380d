import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { SessionkitError } from '../../core/errors.ts';
import { text } from '../../core/response.ts';
import type { Handler, Logger, RequestMap, ResponseMap } from '../../core/types.ts';
import { toFetchHandler } from './fetch-host.ts';

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
      remoteAddress: request.remoteAddress ?? null,
      form: request.form,
      body,
    }),
  };
}

interface Echoed {
  method: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  scheme: string;
  remoteAddress: string | null;
  form?: Record<string, string | string[]>;
  body?: unknown;
}

async function echoed(response: Response): Promise<Echoed> {
  assert.equal(response.status, 200);
  return (await response.json()) as Echoed;
}

const url = 'http://app.test';

void describe('toFetchHandler: requests', () => {
  const app = toFetchHandler(echo, { bodyLimitBytes: 1000, logger: recordingLogger() });

  void it('gives the method, the path, the query, lower-case headers and the Host', async () => {
    const request = await echoed(
      await app(
        new Request(`${url}/a%20b/c?x=1&x=2`, { method: 'DELETE', headers: { 'X-One': '1' } }),
      ),
    );
    assert.equal(request.method, 'DELETE');
    assert.equal(request.path, '/a%20b/c');
    assert.deepEqual(request.query, [
      ['x', '1'],
      ['x', '2'],
    ]);
    assert.equal(request.headers['x-one'], '1');
    assert.equal(request.headers.host, 'app.test');
    assert.equal(request.scheme, 'http');
    assert.equal(request.remoteAddress, null);
  });

  void it('takes the scheme from the URL, and ignores X-Forwarded-* unless trustProxy', async () => {
    const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' };
    assert.equal((await echoed(await app(new Request('https://app.test/')))).scheme, 'https');
    const plain = await echoed(await app(new Request(`${url}/`, { headers })));
    assert.equal(plain.scheme, 'http');
    assert.equal(plain.remoteAddress, null);
    const trusting = toFetchHandler(echo, { trustProxy: true });
    const proxied = await echoed(await trusting(new Request(`${url}/`, { headers })));
    assert.equal(proxied.scheme, 'https');
    assert.equal(proxied.remoteAddress, '203.0.113.7');
  });

  void it('parses forms, JSON and raw bytes as the node host does', async () => {
    const form = await echoed(
      await app(
        new Request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'tag=a&tag=b&q=hello+world',
        }),
      ),
    );
    assert.deepEqual(form.form, { tag: ['a', 'b'], q: 'hello world' });
    const data = new FormData();
    data.append('title', 'Hello');
    data.append('upload', new Blob(['file']), 'a.txt');
    const multipart = await echoed(await app(new Request(url, { method: 'POST', body: data })));
    assert.deepEqual(multipart.form, { title: 'Hello' });
    const json = await echoed(
      await app(
        new Request(url, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: '{"a":[1]}',
        }),
      ),
    );
    assert.deepEqual(json.body, { a: [1] });
    const bytes = await echoed(
      await app(new Request(url, { method: 'POST', body: new Uint8Array(1000) })),
    );
    assert.deepEqual(bytes.body, { bytes: 1000 });
  });

  void it('answers 400, 413 and 415 with the node host bodies, without calling the handler', async () => {
    let called = 0;
    const counted = toFetchHandler(
      (request) => {
        called++;
        return echo(request);
      },
      { bodyLimitBytes: 1000, logger: recordingLogger() },
    );
    const cases: [RequestInit, number, string][] = [
      [{ headers: { 'content-type': 'application/json' }, body: '{"a":' }, 400, 'Bad Request'],
      [
        { headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' },
        415,
        'Unsupported Media Type',
      ],
      [{ headers: { 'content-length': '5000' }, body: 'x' }, 413, 'Payload Too Large'],
      [{ body: new Uint8Array(1001) }, 413, 'Payload Too Large'],
    ];
    for (const [init, status, body] of cases) {
      const response = await counted(new Request(url, { method: 'POST', ...init }));
      assert.equal(response.status, status);
      assert.equal(await response.text(), body);
      assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
      if (status === 413) assert.equal(response.headers.get('connection'), 'close');
    }
    assert.equal(called, 0);
  });

  void it('stops reading a streamed body as soon as it passes the limit', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(600)); // never closed: the host must stop on its own
      },
    });
    const response = await app(new Request(url, { method: 'POST', body, duplex: 'half' }));
    assert.equal(response.status, 413);
    assert.ok(pulled <= 3, `pulled ${pulled} chunks`);
  });
});

void describe('toFetchHandler: responses', () => {
  const logger = recordingLogger();
  const routes: Record<string, Handler> = {
    '/text': () => text('héllo', 201, { 'x-one': '1' }),
    '/bytes': () => ({ status: 200, body: new TextEncoder().encode('bytes') }),
    '/stream': () => ({ status: 200, body: Readable.from(['a', 'b', 'c']) }),
    '/cookies': () => ({
      status: 200,
      headers: { 'set-cookie': ['a=1; Path=/', 'b=2; HttpOnly'] },
      body: 'ok',
    }),
    '/empty': () => ({ status: 204, body: 'ignored' }),
    '/throws': () => {
      throw new Error('boom');
    },
    '/not-a-response': () => 'hello' as unknown as ResponseMap,
    '/bad-header': () => ({ status: 200, headers: { 'x-bad': 'a\r\nb' }, body: 'x' }),
    '/stream-fails-at-once': () => ({
      status: 200,
      body: new Readable({
        read() {
          this.destroy(new Error('no such file'));
        },
      }),
    }),
    '/stream-fails-later': () => ({
      status: 200,
      body: (async function* () {
        yield new TextEncoder().encode('partial');
        throw new Error('disk gone');
      })(),
    }),
  };
  const app = toFetchHandler(
    (request) => routes[request.path]?.(request) ?? { status: 404, body: 'Not Found' },
    { logger },
  );
  const get = (path: string, method = 'GET') => app(new Request(url + path, { method }));

  void it("answers 404 when the handler returns no response (Ring's nil), logged at debug level", async () => {
    const quiet = recordingLogger();
    const none = toFetchHandler(() => undefined, { logger: quiet });
    const response = await none(new Request(`${url}/nothing`));
    assert.equal(response.status, 404);
    assert.equal(await response.text(), 'Not Found');
    assert.deepEqual(
      quiet.entries.map((entry) => [entry.level, entry.message]),
      [['debug', 'fetch host: GET /nothing: no response; answered 404']],
    );
  });

  void it('sends status, headers and bodies of every kind', async () => {
    const response = await get('/text');
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('x-one'), '1');
    assert.equal(await response.text(), 'héllo');
    assert.equal(await (await get('/bytes')).text(), 'bytes');
    assert.equal(await (await get('/stream')).text(), 'abc');
  });

  void it('keeps several Set-Cookie headers apart', async () => {
    assert.deepEqual((await get('/cookies')).headers.getSetCookie(), [
      'a=1; Path=/',
      'b=2; HttpOnly',
    ]);
  });

  void it('sends no body on HEAD and on 204', async () => {
    const head = await get('/text', 'HEAD');
    assert.equal(head.status, 201);
    assert.equal(await head.text(), '');
    const empty = await get('/empty');
    assert.equal(empty.status, 204);
    assert.equal(await empty.text(), '');
  });

  void it('answers a generic 500 to a throw, a non-response, a bad header and a stream that fails at once, logging each', async () => {
    for (const path of ['/throws', '/not-a-response', '/bad-header', '/stream-fails-at-once']) {
      const response = await get(path);
      assert.equal(response.status, 500, path);
      assert.equal(await response.text(), 'Internal Server Error');
      const entry = logger.entries.find((e) => e.level === 'error' && e.message.includes(path));
      assert.ok(entry, path);
      assert.match(entry.message, /^fetch host: GET /);
    }
  });

  void it('ends a stream that fails after its first chunk in an error, never a complete-looking body', async () => {
    const response = await get('/stream-fails-later');
    assert.equal(response.status, 200);
    await assert.rejects(response.text());
    assert.ok(logger.entries.some((e) => e.message.includes('response body stream failed')));
  });
});

void describe('toFetchHandler: options', () => {
  void it('refuses an unknown or invalid option, as serve does', () => {
    const cases: [unknown, RegExp][] = [
      [{ bodyLimit: 10 }, /option bodyLimit is invalid: .*unknown option/],
      [{ bodyLimitBytes: -1 }, /option bodyLimitBytes is invalid/],
      [{ trustProxy: 'yes' }, /option trustProxy is invalid/],
      [{ logger: {} }, /option logger is invalid/],
      [[], /option options is invalid/],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => toFetchHandler(echo, options as never),
        (error: unknown) =>
          error instanceof SessionkitError &&
          error.code === 'invalid_option' &&
          message.test(error.message),
      );
    }
    assert.throws(() => toFetchHandler('nope' as never), /option handler is invalid/);
  });
});
