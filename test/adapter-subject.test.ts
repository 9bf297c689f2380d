// The framework adapters attach a session's subject (for "log out everywhere", L-13):
// `setSubject` on login, `getSubject` on later requests, `null` to remove it; a malformed
// subject is refused where it is set, and a store that keeps no subject refuses one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { SessionkitError } from '../src/core/errors.ts';
import { sessionPlugin } from '../src/hosts/fastify/fastify-host.ts';
import type { SessionStore } from '../src/session/store.ts';
import { cookieStore } from '../src/stores/cookie/cookie-store.ts';
import { memoryStore } from '../src/stores/memory/memory-store.ts';
import { RecordingLogger } from './support/fakes.ts';

/** An app whose error handler keeps what was thrown, answering 500. */
async function app(store: SessionStore, errors: unknown[] = []) {
  const fastify = Fastify();
  fastify.setErrorHandler((error, _request, reply) => {
    errors.push(error);
    return reply.code(500).send('refused');
  });
  await fastify.register(sessionPlugin, { session: { store, logger: new RecordingLogger() } });
  fastify.get<{ Querystring: { as?: string } }>('/login', (request) => {
    request.session.user = request.query.as ?? 'alice';
    request.session.regenerate();
    request.session.setSubject(request.query.as === undefined ? 'user:1' : request.query.as);
    return 'in';
  });
  fastify.get('/subject', (request) => request.session.getSubject() ?? '(none)');
  fastify.get('/forget', (request) => {
    request.session.setSubject(null);
    return request.session.getSubject() ?? '(none)';
  });
  return fastify;
}

async function get(fastify: Awaited<ReturnType<typeof app>>, url: string, cookie?: string) {
  const response = await fastify.inject({
    method: 'GET',
    url,
    headers: cookie === undefined ? {} : { cookie },
  });
  const set = response.headers['set-cookie'];
  const line = Array.isArray(set) ? set[0] : set;
  return { response, cookie: line?.split(';')[0] ?? cookie };
}

describe('session.setSubject and getSubject in the adapters', () => {
  it('a subject set on login is the session’s on later requests, until set to null', async () => {
    const fastify = await app(cookieStore({ secrets: [randomBytes(32).toString('base64url')] }));
    const login = await get(fastify, '/login');
    const later = await get(fastify, '/subject', login.cookie);
    assert.equal(later.response.body, 'user:1');
    const forget = await get(fastify, '/forget', login.cookie);
    assert.equal(forget.response.body, '(none)');
    assert.equal((await get(fastify, '/subject', forget.cookie)).response.body, '(none)');
    await fastify.close();
  });

  it('a malformed subject is refused where it is set (invalid_option), never stored', async () => {
    const errors: unknown[] = [];
    const fastify = await app(
      cookieStore({ secrets: [randomBytes(32).toString('base64url')] }),
      errors,
    );
    const { response } = await get(fastify, '/login?as=');
    const [thrown] = errors;
    assert.equal(response.statusCode, 500);
    assert.ok(thrown instanceof SessionkitError && thrown.code === 'invalid_option');
    assert.match(thrown.message, /session\.setSubject: option subject is invalid/);
    assert.equal(response.headers['set-cookie'], undefined);
    await fastify.close();
  });

  it('a store that keeps no subject refuses one, saying why', async () => {
    const errors: unknown[] = [];
    const fastify = await app(memoryStore(), errors);
    const { response } = await get(fastify, '/login');
    const [thrown] = errors;
    assert.equal(response.statusCode, 500);
    assert.ok(thrown instanceof SessionkitError && /keeps no subject/.test(thrown.message));
    await fastify.close();
  });
});
