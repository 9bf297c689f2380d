// Every option object is checked at construction: a misspelt or misplaced option is refused
// with the names that exist and the closest one, never silently ignored.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cookieStore,
  memoryStore,
  SessionkitError,
  sessionOptionsFromEnv,
  wrapCookies,
  wrapCsrf,
  wrapSession,
} from '../src/index.ts';
import { serve, toNodeListener } from '../src/node.ts';

const secret = 'Opt10ns-Kq9Lw2Zr7Tn5Vb1Hm8Jd3Gs6Fc0PaXy';

function refuses(make: () => unknown, message: RegExp): void {
  assert.throws(
    make,
    (error: unknown) =>
      error instanceof SessionkitError &&
      error.code === 'invalid_option' &&
      message.test(error.message),
  );
}

describe('options', () => {
  it('refuses misspelt and misplaced options, suggesting the right one', () => {
    refuses(
      () => cookieStore({ secrets: [secret], maxAge: 60 } as never),
      /^cookieStore: option maxAge is invalid: got a number, expected one of secrets, .* did you mean idleTimeoutSeconds/,
    );
    refuses(
      () => cookieStore({ secrets: [secret], idleTimeout: 60 } as never),
      /option idleTimeout is invalid.*did you mean idleTimeoutSeconds\?/,
    );
    refuses(
      () => wrapSession({ store: memoryStore(), cookiename: 'sid' } as never),
      /^wrapSession: option cookiename is invalid.*did you mean cookieName\?/,
    );
    refuses(
      () => wrapCsrf({ trustedOrigin: ['https://a.test'] } as never),
      /^wrapCsrf: option trustedOrigin is invalid.*did you mean trustedOrigins\?/,
    );
    refuses(
      () => memoryStore({ max: 10 } as never),
      /^memoryStore: option max is invalid.*did you mean maxEntries\?/,
    );
    refuses(
      () => wrapCookies({ log: console } as never),
      /^wrapCookies: option log is invalid.*did you mean logger\?/,
    );
    refuses(
      () => sessionOptionsFromEnv({}, { loger: console } as never),
      /^sessionOptionsFromEnv: option loger is invalid.*did you mean logger\?/,
    );
    refuses(
      () => toNodeListener(() => ({ status: 200 }), { trustproxy: true } as never),
      /did you mean trustProxy\?/,
    );
    refuses(() => serve(() => ({ status: 200 }), { prot: 3000 } as never), /did you mean port\?/);
  });

  it('refuses values of the wrong type', () => {
    refuses(
      () => memoryStore({ maxEntries: '10' } as never),
      /option maxEntries is invalid: got "10"/,
    );
    refuses(() => memoryStore({ logger: 'console' } as never), /option logger is invalid/);
    refuses(
      () => wrapSession({ store: memoryStore(), onStoreError: 503 } as never),
      /option onStoreError is invalid/,
    );
    refuses(
      () => wrapSession({ store: memoryStore(), cookieAttrs: 'HttpOnly' } as never),
      /option cookieAttrs is invalid/,
    );
    refuses(() => wrapCsrf({ onFailure: 'deny' } as never), /option onFailure is invalid/);
    refuses(
      () => wrapCsrf({ trustedOrigins: 'https://a.test' } as never),
      /option trustedOrigins is invalid/,
    );
    refuses(() => wrapCsrf({ trustedOrigins: [42] } as never), /option trustedOrigins is invalid/);
    refuses(() => wrapCookies({ logger: {} } as never), /option logger is invalid/);
    // Ring's options, in our idiom.
    refuses(
      () => wrapSession({ store: memoryStore(), setCookies: 'false' } as never),
      /option setCookies is invalid/,
    );
    refuses(() => wrapCsrf({ readToken: 'x-token' } as never), /option readToken is invalid/);
    refuses(() => wrapCookies({ decode: true } as never), /option decode is invalid/);
    refuses(() => wrapCookies({ encode: {} } as never), /option encode is invalid/);
    refuses(() => memoryStore({ map: {} } as never), /option map is invalid/);
  });

  it("points Ring's option names at ours", () => {
    refuses(
      () => wrapSession({ store: memoryStore(), 'set-cookies?': false } as never),
      /did you mean setCookies\?/,
    );
    refuses(
      () => wrapSession({ store: memoryStore(), 'cookie-attrs': {} } as never),
      /did you mean cookieAttrs\?/,
    );
    refuses(() => wrapCsrf({ 'read-token': () => undefined } as never), /did you mean readToken\?/);
    refuses(() => wrapCookies({ decoder: String } as never), /did you mean decode\?/);
    refuses(() => wrapCookies({ encoder: String } as never), /did you mean encode\?/);
  });

  it('K-07: never prints the value of an unknown option, which may be a secret', () => {
    try {
      cookieStore({ secrets: [secret], secret } as never);
      assert.fail('should throw');
    } catch (error) {
      assert.ok(error instanceof SessionkitError);
      assert.match(error.message, /option secret is invalid: got a string/);
      assert.ok(!error.message.includes(secret));
    }
  });
});
