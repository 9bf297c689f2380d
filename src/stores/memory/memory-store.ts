import { isProduction } from '../../core/options.ts';
import { randomBytes } from 'node:crypto';
import { invalidOption } from '../../core/errors.ts';
import { checkOptions, integerOption, loggerOption } from '../../core/options.ts';
import { parseSessionJson, stringifySession } from '../../session/session-json.ts';
import { consoleLogger } from '../../core/logger.ts';
import type {
  SessionChange,
  SessionStore,
  StoredSession,
  TimeoutOptions,
} from '../../session/store.ts';
import { resolveTimeouts, timeoutHints } from '../../session/timeouts.ts';
import type { Logger, SessionData } from '../../core/types.ts';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions extends TimeoutOptions {
  /**
   * At most this many sessions are kept; past it the least recently used is evicted.
   * @default 10000
   */
  maxEntries?: number | undefined;
  /**
   * A read refreshes the idle deadline (and re-sends the cookie, so its Max-Age slides too)
   * once the last refresh is older than this.
   * @default a tenth of idleTimeoutSeconds
   */
  touchAfterSeconds?: number | undefined;
  /**
   * Where the production warning goes.
   * @default console
   */
  logger?: Pick<Logger, 'warn'> | undefined;
  /**
   * The map the sessions live in (Ring's custom atom), for tests that inspect or seed them:
   * id → {@link MemoryEntry}. The store replaces entries, never changes one in place, and
   * reads an entry that is not a well-formed `MemoryEntry` as no session (removing it, as it
   * removes expired ones). Ids are 43
   * base64url characters (`randomBytes(32).toString('base64url')`); other keys are never
   * read. `maxEntries` applies to it.
   * @default a new, private Map
   */
  map?: Map<string, MemoryEntry> | undefined;
}

/**
 * A session as {@link memoryStore} keeps it: its stored form, not a live object, so that
 * nothing outside the store can change a session but a write. Entries the store makes are
 * frozen.
 *
 * @example
 * const sessions = new Map<string, MemoryEntry>();
 * const store = memoryStore({ map: sessions });
 * const now = Math.floor(Date.now() / 1000);
 * sessions.set(id, { json: JSON.stringify({ user: 'alice' }), createdAt: now, touchedAt: now });
 */
export interface MemoryEntry {
  /** The session data as JSON: a plain object, as `stringifySession` writes it. */
  readonly json: string;
  /** When the session was created, epoch seconds: the absolute timeout counts from here. */
  readonly createdAt: number;
  /** When it was last written or touched, epoch seconds: the idle timeout counts from here. */
  readonly touchedAt: number;
}

type Entry = MemoryEntry;

function makeEntry(json: string, createdAt: number, touchedAt: number): Entry {
  return Object.freeze({ json, createdAt, touchedAt });
}

/** The data of an entry's JSON, or undefined when it is not a JSON object (a seeded mistake). */
function sessionData(json: string): SessionData | undefined {
  let data: unknown;
  try {
    data = parseSessionJson(json);
  } catch {
    return undefined;
  }
  return typeof data === 'object' && data !== null && !Array.isArray(data)
    ? (data as SessionData)
    : undefined;
}

/** An entry the caller may have put in the map: checked before it is trusted. */
function wellFormed(value: unknown): value is Entry {
  const e = value as Partial<Entry> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.json === 'string' &&
    Number.isFinite(e.createdAt) &&
    Number.isFinite(e.touchedAt)
  );
}

/** The defaults of {@link memoryStore} besides the timeouts (see `timeoutDefaults`). */
export const memoryStoreDefaults = Object.freeze({ maxEntries: 10_000 });

const memoryStoreOptionNames = [
  'maxEntries',
  'idleTimeoutSeconds',
  'absoluteTimeoutSeconds',
  'touchAfterSeconds',
  'now',
  'logger',
  'map',
] as const;

/** 256-bit ids, base64url without padding: 43 characters (OWASP SM "Session ID Entropy"). */
const idPattern = /^[A-Za-z0-9_-]{43}$/;

/**
 * A session store in this process's memory: for development, tests and single-process
 * servers. Sessions do not survive a restart and are not shared between processes; use a
 * server-side store such as Redis for several app servers.
 *
 * Ids are 32 random bytes from `crypto.randomBytes`; an id the store did not issue is never
 * adopted (a write under it gets a new id); malformed ids are rejected before lookup;
 * entries expire by the idle and absolute timeouts; the number of entries is bounded.
 *
 * @example
 * const app = wrapSession({ store: memoryStore({ maxEntries: 50_000 }) })(handler);
 */
export function memoryStore(options: MemoryStoreOptions = {}): SessionStore {
  checkOptions('memoryStore', options, memoryStoreOptionNames, timeoutHints);
  const timeouts = resolveTimeouts('memoryStore', options);
  const maxEntries = integerOption(
    'memoryStore',
    'maxEntries',
    options.maxEntries,
    memoryStoreDefaults.maxEntries,
    1,
  );
  const logger = loggerOption('memoryStore', options.logger, consoleLogger, ['warn']);
  if (isProduction(process.env.NODE_ENV)) {
    logger.warn(
      'sessionkit: memoryStore keeps sessions in one process only; they are lost on restart and not shared between servers',
    );
  }
  const { idleTimeoutSeconds, absoluteTimeoutSeconds, touchAfterSeconds, now } = timeouts;
  if (options.map !== undefined && !(options.map instanceof Map)) {
    throw invalidOption('memoryStore', 'map', options.map, 'a Map from session id to MemoryEntry');
  }
  /** Insertion order is recency order: a read moves its entry to the end. */
  const entries: Map<string, Entry> = options.map ?? new Map<string, Entry>();
  const seconds = (): number => Math.floor(now() / 1000);

  /** The live entry under `key`, or undefined; expired entries are removed on sight. */
  function live(key: string, at: number): Entry | undefined {
    if (!idPattern.test(key)) return undefined;
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (
      !wellFormed(entry) ||
      at - entry.touchedAt >= idleTimeoutSeconds ||
      at - entry.createdAt >= absoluteTimeoutSeconds
    ) {
      entries.delete(key);
      return undefined;
    }
    entries.delete(key);
    entries.set(key, entry);
    return entry;
  }

  /** An entry as a store read gives it, or undefined when its JSON is not an object. */
  function stored(entry: Entry, at: number): StoredSession | undefined {
    const data = sessionData(entry.json);
    if (data === undefined) return undefined;
    return {
      data,
      createdAt: entry.createdAt,
      stale: at - entry.touchedAt >= touchAfterSeconds,
      json: entry.json,
    };
  }

  function insert(key: string, entry: Entry): void {
    entries.set(key, entry);
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done === true) break;
      entries.delete(oldest.value);
    }
  }

  return {
    async read(key: string): Promise<StoredSession | undefined> {
      const at = seconds();
      const entry = live(key, at);
      return entry === undefined ? undefined : stored(entry, at);
    },

    async write(
      key: string | undefined,
      data: SessionData,
      createdAt?: number,
    ): Promise<string | undefined> {
      const json = stringifySession(data);
      const at = seconds();
      if (key !== undefined) {
        // a key that is gone stays gone; never adopt or resurrect it.
        const entry = live(key, at);
        if (entry === undefined) return undefined;
        entries.set(key, makeEntry(json, entry.createdAt, at));
        return key;
      }
      const id = randomBytes(32).toString('base64url');
      insert(id, makeEntry(json, createdAt ?? at, at));
      return id;
    },

    // Atomic by construction: nothing runs between the read and the write.
    async update(
      key: string,
      change: SessionChange,
    ): Promise<{ key: string; json: string } | undefined> {
      const at = seconds();
      const entry = live(key, at);
      const current = entry === undefined ? undefined : stored(entry, at);
      if (current === undefined) return undefined;
      const json = stringifySession(change(current));
      entries.set(key, makeEntry(json, current.createdAt, at));
      return { key, json };
    },

    async touch(key: string): Promise<string | undefined> {
      const at = seconds();
      const entry = live(key, at);
      if (entry === undefined) return undefined;
      entries.set(key, makeEntry(entry.json, entry.createdAt, at));
      return key;
    },

    async delete(key: string): Promise<void> {
      entries.delete(key);
    },
  };
}
