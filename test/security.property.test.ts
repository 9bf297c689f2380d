// Laws over random input for the whole middleware stack (security cases, section 11).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compose } from '../src/core/compose.ts';
import { cookieStore } from '../src/stores/cookie/cookie-store.ts';
import { csrfField, wrapCsrf } from '../src/csrf/wrap-csrf.ts';
import { wrapFlash } from '../src/session/flash.ts';
import { memoryStore } from '../src/stores/memory/memory-store.ts';
import { wrapSession } from '../src/session/wrap-session.ts';
import type { SessionStore } from '../src/session/store.ts';
import type { Handler } from '../src/core/types.ts';
import { wrapCookies } from '../src/cookies/wrap-cookies.ts';
import { cookieFrom, RecordingLogger, request, responseOf } from './support/fakes.ts';

const secret = 'Pr0p-Xq3v8Lm1Rz6Tw0Pk4Nb7Jy2Hd5Fs9Gc';

function stack(store: SessionStore): Handler {
  return compose(
    wrapCookies(),
    wrapSession({ store, logger: new RecordingLogger() }),
    wrapFlash(),
    wrapCsrf(),
  )((req) => ({
    status: 200,
    body: req.method === 'GET' ? (req.csrfToken ?? '') : 'changed',
    session: { ...req.session, seen: true },
  }));
}

const stores: Record<string, () => SessionStore> = {
  cookieStore: () => cookieStore({ secrets: [secret] }),
  memoryStore: () => memoryStore(),
};

const cookieHeader = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc
    .array(
      fc.tuple(
        fc.constantFrom('session', 'Session', 'other', '__proto__', ''),
        fc.string({ maxLength: 120 }),
      ),
      {
        maxLength: 6,
      },
    )
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('; ')),
  fc
    .string({ unit: fc.constantFrom(...'v1.ABCabc-_=;% "\t'), maxLength: 200 })
    .map((v) => `session=${v}`),
);

for (const [name, make] of Object.entries(stores)) {
  describe(`middleware stack under random input (${name})`, () => {
    it('no random Cookie header makes it throw or answer 5xx', async () => {
      const app = stack(make());
      await fc.assert(
        fc.asyncProperty(cookieHeader, fc.constantFrom('GET', 'POST'), async (cookie, method) => {
          const response = responseOf(await app(request({ method, headers: { cookie } })));
          assert.ok(response.status < 500, `status ${response.status}`);
        }),
        { numRuns: 300 },
      );
    });

    it('no random token shape passes CSRF', async () => {
      const app = stack(make());
      const page = responseOf(await app(request()));
      const cookie = cookieFrom(page, 'session')!;
      const token = String(page.body);
      const forged = fc.oneof(
        fc.string({ maxLength: 120 }),
        fc.stringMatching(/^[A-Za-z0-9_-]{86}$/),
        fc
          .nat({ max: 85 })
          .map((i) => token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1)),
      );
      await fc.assert(
        fc.asyncProperty(
          forged,
          fc.constantFrom('form', 'x-csrf-token', 'x-xsrf-token'),
          async (value, where) => {
            fc.pre(value !== token);
            const response = responseOf(
              await app(
                where === 'form'
                  ? request({ method: 'POST', headers: { cookie }, form: { [csrfField]: value } })
                  : request({ method: 'POST', headers: { cookie, [where]: value } }),
              ),
            );
            assert.equal(response.status, 403);
          },
        ),
        { numRuns: 300 },
      );
      const genuine = responseOf(
        await app(request({ method: 'POST', headers: { cookie, 'x-csrf-token': token } })),
      );
      assert.equal(genuine.status, 200, 'the genuine token still passes');
    });
  });
}
