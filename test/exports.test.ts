// The public surface: nothing leaves or enters it by accident, and the built package
// (the `exports` map, `npm run build`) exposes the same names as the source.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as main from '../src/index.ts';
import * as node from '../src/node.ts';
import * as redis from '../src/redis.ts';
import * as ring from '../src/ring.ts';
import * as testing from '../src/testing.ts';
import * as fetchHost from '../src/fetch.ts';
import * as expressHost from '../src/express.ts';
import * as honoHost from '../src/hono.ts';
import * as fastifyHost from '../src/fastify.ts';

const expected = {
  sessionkit: [
    'SessionkitError',
    'compose',
    'composeHalves',
    'cookieBudget',
    'cookieHalves',
    'cookieStore',
    'cookieStoreDefaults',
    'cookieValues',
    'csrfField',
    'csrfHalves',
    'csrfInput',
    'defaultHalves',
    'flashHalves',
    'flashKey',
    'html',
    'json',
    'memoryRevocations',
    'memoryStore',
    'memoryStoreDefaults',
    'migratingStore',
    'notFound',
    'parseCookie',
    'parseSessionJson',
    'randomSecret',
    'redirect',
    'resolveTimeouts',
    'revocationDefaults',
    'secretWeakness',
    'serializeCookie',
    'sessionDefaults',
    'sessionHalves',
    'sessionOptionsFromEnv',
    'stringifySession',
    'text',
    'timeoutDefaults',
    'updateSession',
    'wrapCookies',
    'wrapCsrf',
    'wrapDefaults',
    'wrapFlash',
    'wrapHalves',
    'wrapSession',
  ],
  'sessionkit/node': ['nodeHostDefaults', 'serve', 'toNodeListener'],
  'sessionkit/redis': [
    'redisRevocations',
    'redisRevocationsDefaults',
    'redisStore',
    'redisStoreDefaults',
  ],
  'sessionkit/ring': [
    'EdnChar',
    'EdnDecimal',
    'EdnInst',
    'EdnKeyword',
    'EdnRatio',
    'EdnSymbol',
    'EdnUuid',
    'ednToJson',
    'parseEdn',
    'ringCookieStore',
    'stringifyEdn',
  ],
  'sessionkit/testing': ['Clock', 'storeContract'],
  'sessionkit/fetch': ['fetchHostDefaults', 'toFetchHandler'],
  'sessionkit/express': ['SessionUnavailableError', 'sessionMiddleware'],
  'sessionkit/hono': ['SessionUnavailableError', 'honoSessionDefaults', 'sessionMiddleware'],
  'sessionkit/fastify': ['SessionUnavailableError', 'sessionPlugin'],
};

const sources: Record<string, Record<string, unknown>> = {
  'sessionkit/fetch': fetchHost,
  'sessionkit/express': expressHost,
  'sessionkit/hono': honoHost,
  'sessionkit/fastify': fastifyHost,
};

describe('public exports', () => {
  it('sessionkit exports exactly the documented names', () => {
    assert.deepEqual(Object.keys(main).sort(), expected.sessionkit);
  });

  it('sessionkit/node exports exactly the documented names', () => {
    assert.deepEqual(Object.keys(node).sort(), expected['sessionkit/node']);
  });

  it('sessionkit/redis exports exactly the documented names', () => {
    assert.deepEqual(Object.keys(redis).sort(), expected['sessionkit/redis']);
  });

  it('sessionkit/ring exports exactly the documented names', () => {
    assert.deepEqual(Object.keys(ring).sort(), expected['sessionkit/ring']);
  });

  it('sessionkit/testing exports exactly the documented names', () => {
    assert.deepEqual(Object.keys(testing).sort(), expected['sessionkit/testing']);
  });

  for (const [specifier, module] of Object.entries(sources)) {
    it(`${specifier} exports exactly the documented names`, () => {
      assert.deepEqual(Object.keys(module).sort(), expected[specifier as keyof typeof expected]);
    });
  }

  it('the built package resolves through its exports map with the same names', async () => {
    assert.ok(existsSync('dist/index.js'), 'dist/ is missing: run `npm run build` (npm test does)');
    for (const [specifier, names] of Object.entries(expected)) {
      const module = (await import(specifier)) as Record<string, unknown>;
      assert.deepEqual(Object.keys(module).sort(), names, specifier);
    }
  });
});
