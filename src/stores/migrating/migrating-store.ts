import { invalidOption } from '../../core/errors.ts';
import { checkOptions } from '../../core/options.ts';
import type { SessionData } from '../../core/types.ts';
import type { SessionStore, StoredSession } from '../../session/store.ts';

/** Options of {@link migratingStore}. */
export interface MigratingStoreOptions {
  /** Where sessions live from now on: every write and touch goes here. */
  store: SessionStore;
  /**
   * Where sessions lived before: only read. Its sessions must be data `store` can hold
   * (for Ring's format, `ringCookieStore({ key, values: 'json' })`).
   */
  legacy: SessionStore;
}

/**
 * Moves sessions from one store to another without logging anyone out: a cookie that `store`
 * does not know is read from `legacy`, and that session is written to `store` on the same
 * response (it reads as stale, so `wrapSession` saves it even when the handler does not).
 * The legacy store is never written (security case C-18).
 *
 * The typical use is leaving Kit: a Ring cookie-store cookie is accepted once and re-sealed
 * in sessionkit's own format; once every active user has been seen (one cookie `Max-Age`,
 * Kit's 24 hours), drop the legacy store and its weak key. Until then a copied legacy cookie
 * stays readable, as it was under Kit.
 *
 * @example
 * const store = migratingStore({
 *   store: cookieStore({ secrets: [process.env.COOKIE_SECRET!], cookieName: 'myapp' }),
 *   legacy: ringCookieStore({ key: process.env.RING_COOKIE_SECRET!, values: 'json' }),
 * });
 */
export function migratingStore(options: MigratingStoreOptions): SessionStore {
  checkOptions('migratingStore', options, ['store', 'legacy']);
  for (const name of ['store', 'legacy'] as const) {
    const s = options?.[name];
    if (typeof s?.read !== 'function' || typeof s.write !== 'function') {
      throw invalidOption('migratingStore', name, typeof s, 'a SessionStore');
    }
  }
  const { store, legacy } = options;
  return Object.freeze({
    cookieName: store.cookieName,
    subjects: store.subjects,

    async read(key: string): Promise<StoredSession | undefined> {
      const current = await store.read(key);
      if (current !== undefined) return current;
      const old = await legacy.read(key);
      return old === undefined ? undefined : { ...old, stale: true };
    },

    async write(
      key: string | undefined,
      data: SessionData,
      createdAt?: number,
      subject?: string | null,
    ): Promise<string | undefined> {
      const written = await store.write(key, data, createdAt, subject);
      if (written !== undefined || key === undefined) return written;
      // A server-side store refuses a key it never issued; a legacy key gets a new one.
      return (await legacy.read(key)) === undefined
        ? undefined
        : store.write(undefined, data, createdAt, subject);
    },

    async touch(key: string): Promise<string | undefined> {
      const touched = await store.touch(key);
      if (touched !== undefined) return touched;
      // Re-read, never what a handler may have changed in place.
      const old = await legacy.read(key);
      return old === undefined ? undefined : store.write(undefined, old.data, old.createdAt);
    },

    async delete(key: string): Promise<void> {
      await Promise.all([store.delete(key), legacy.delete(key)]);
    },
  });
}
