// The store contract (src/testing/store-contract.ts) against every built-in store.
import { cookieStore } from '../src/stores/cookie/cookie-store.ts';
import { memoryRevocations } from '../src/session/revocations.ts';
import { memoryStore } from '../src/stores/memory/memory-store.ts';
import { ringCookieStore } from '../src/stores/ring/ring-cookie-store.ts';
import { storeContract } from '../src/testing/store-contract.ts';

storeContract({ name: 'memoryStore', make: (options) => memoryStore(options), updates: true });

storeContract({
  name: 'cookieStore',
  stateless: true,
  synchronous: true,
  make: (options) =>
    cookieStore({ secrets: ['kR3v9Lq2xW8mZ4pT6yB1nH5sD7fG0jCe-contract'], ...options }),
});

storeContract({
  name: 'cookieStore with memoryRevocations',
  stateless: true,
  revokes: true,
  synchronous: true,
  make: (options) =>
    cookieStore({
      secrets: ['kR3v9Lq2xW8mZ4pT6yB1nH5sD7fG0jCe-contract'],
      ...options,
      revocations: memoryRevocations({
        absoluteTimeoutSeconds: options.absoluteTimeoutSeconds,
        now: options.now,
      }),
    }),
});

storeContract({
  name: 'ringCookieStore',
  stateless: true,
  represents: ['bigint'],
  make: (options) => ringCookieStore({ key: 'Kq9Lw2Zr7Tn5Vb1H', ...options }),
});
