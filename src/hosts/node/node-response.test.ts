import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { toNodeListener } from './node-host.ts';
import type { Logger, ResponseMap } from '../../core/types.ts';

const quiet: Logger = { error: () => undefined, warn: () => undefined };

/** Responses whose wire form the host must not change, whatever path it writes them by. */
const cases: Record<string, ResponseMap> = {
  '/string': {
    status: 201,
    headers: { 'content-type': 'text/plain', 'x-one': '1' },
    body: 'héllo',
  },
  '/bytes': { status: 200, body: new TextEncoder().encode('bytes') },
  '/no-headers': { status: 200, body: 'plain' },
  '/empty-string': { status: 200, headers: { 'x-a': 'b' }, body: '' },
  '/set-cookies': {
    status: 200,
    headers: { 'Set-Cookie': ['a=1; Path=/', 'b=2; HttpOnly'], vary: 'Cookie' },
    body: 'ok',
  },
  '/no-content': { status: 204, headers: { 'x-a': 'b' }, body: 'dropped' },
  '/not-modified': { status: 304, body: 'dropped' },
  '/own-length': { status: 200, headers: { 'Content-Length': '5' }, body: 'hello' },
  '/own-chunked': { status: 200, headers: { 'transfer-encoding': 'chunked' }, body: 'abc' },
  '/twice': { status: 200, headers: { 'X-Dup': 'a', 'x-other': '1', 'x-dup': 'b' }, body: 'x' },
  '/disposition': {
    status: 200,
    headers: { 'content-disposition': 'attachment; filename="é.txt"' },
    body: 'file',
  },
  '/number': { status: 200, headers: { 'x-count': 3 }, body: 'n' },
  '/empty-array': { status: 200, headers: { 'x-none': [] }, body: 'e' },
  '/many': {
    status: 200,
    headers: Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [i === 39 ? 'X-H0' : `x-h${i}`, String(i)]),
    ),
    body: 'many',
  },
  '/bad-header': { status: 200, headers: { 'x-bad': 'a\nb' }, body: 'never sent' },
  '/bad-name': { status: 200, headers: { 'bad name': 'x' }, body: 'never sent' },
  '/bad-status': { status: 1000, body: 'never sent' },
};

/** What a node server does with a response given by setHeader for each header and end(body). */
function reference(req: http.IncomingMessage, res: http.ServerResponse): void {
  const { status, headers, body } = cases[req.url ?? ''] as ResponseMap;
  try {
    res.statusCode = status;
    for (const [name, value] of Object.entries(headers ?? {})) {
      res.setHeader(name, value);
    }
    res.end(body as string | Uint8Array);
  } catch {
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.statusCode = 500;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end('Internal Server Error');
  }
}

async function listen(listener: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** The raw answer to `request`, read until the server closes the connection. */
function exchange(server: http.Server, request: string): Promise<string> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

/** Status line, header lines in order of name (their order carries no meaning), and body. */
function normalized(answer: string): { status: string; headers: string[]; body: string } {
  const end = answer.indexOf('\r\n\r\n');
  const [status = '', ...headers] = answer.slice(0, end).split('\r\n');
  return {
    status,
    headers: headers.filter((line) => !/^date:/i.test(line)).sort(),
    body: answer.slice(end + 4),
  };
}

void describe('node host: response framing', () => {
  let ours: http.Server;
  let node: http.Server;
  before(async () => {
    ours = await listen(
      toNodeListener((request) => cases[request.path] ?? { status: 404 }, { logger: quiet }),
    );
    node = await listen(reference);
  });
  after(() => {
    for (const server of [ours, node]) {
      server.close();
      server.closeAllConnections();
    }
  });

  const requests: Array<[string, (path: string) => string]> = [
    ['GET over HTTP/1.1', (path) => `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
    [
      'HEAD over HTTP/1.1',
      (path) => `HEAD ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    ],
    ['GET over HTTP/1.0', (path) => `GET ${path} HTTP/1.0\r\nHost: x\r\n\r\n`],
  ];
  for (const [what, request] of requests) {
    void it(`frames every response as setHeader and end(body) would: ${what}`, async () => {
      for (const path of Object.keys(cases)) {
        const [mine, theirs] = await Promise.all([
          exchange(ours, request(path)),
          exchange(node, request(path)),
        ]);
        assert.deepEqual(normalized(mine), normalized(theirs), path);
      }
    });
  }

  void it('sends one Content-Length with the byte length of a string body', async () => {
    const answer = normalized(
      await exchange(ours, 'GET /string HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    );
    assert.deepEqual(
      answer.headers.filter((line) => /^content-length:/i.test(line)),
      [`Content-Length: ${Buffer.byteLength('héllo')}`],
    );
  });

  void it('answers 500 Internal Server Error, not the handler status, to an invalid header', async () => {
    const answer = normalized(
      await exchange(ours, 'GET /bad-header HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    );
    assert.equal(answer.status, 'HTTP/1.1 500 Internal Server Error');
    assert.equal(answer.body, 'Internal Server Error');
  });
});
