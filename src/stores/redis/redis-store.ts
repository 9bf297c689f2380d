import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { invalidOption, SessionkitError } from '../../core/errors.ts';
import { consoleLogger } from '../../core/logger.ts';
import { checkOptions, integerOption, loggerOption } from '../../core/options.ts';
import type { Logger, SessionData } from '../../core/types.ts';
import { parseSessionJson, stringifySession } from '../../session/session-json.ts';
import type {
  SessionChange,
  SessionStore,
  StoredSession,
  TimeoutOptions,
} from '../../session/store.ts';
import { resolveTimeouts, timeoutHints } from '../../session/timeouts.ts';
import { commandSender } from './client.ts';
import type { RedisClient } from './client.ts';
import { Guard, replyCode } from './guard.ts';
import type { RedisHealth } from './guard.ts';
import { Chains } from './chains.ts';
import { decodeValue, digits, encodeValue, touchScript, writeIfScript } from './value.ts';

/** Options of {@link redisStore}. */
export interface RedisStoreOptions extends TimeoutOptions {
  /**
   * A connected node-redis v5 client or cluster, or an ioredis v5 `Redis` or `Cluster`, made
   * so that commands fail at once while Redis is unreachable instead of queueing
   * (`disableOfflineQueue: true` in node-redis, `enableOfflineQueue: false` in ioredis).
   * The store never connects, closes or reconfigures it.
   */
  client: RedisClient;
  /**
   * Put before each session id to make its key (security case R-10). Printable ASCII
   * without spaces or braces (a `{hash tag}` would pin every session to one cluster slot).
   * @default 'session:'
   */
  prefix?: string | undefined;
  /**
   * A read refreshes the idle deadline (TTL and touch time, never the data) once the last
   * refresh is older than this.
   * @default a tenth of idleTimeoutSeconds
   */
  touchAfterSeconds?: number | undefined;
  /**
   * How long one Redis command may take before the request gets the store-error response
   * (503). After a timeout the store fails fast for as long again, then retries one command.
   * @default 2000
   */
  commandTimeoutMs?: number | undefined;
  /**
   * The largest session, in bytes of JSON; a bigger one is refused at write time with
   * `session_too_large` (security case Z-06).
   * @default 1048576 (1 MiB)
   */
  maxSessionBytes?: number | undefined;
  /**
   * Where outages, recoveries and corrupt values are reported. Messages never contain
   * session ids.
   * @default console
   */
  logger?: Pick<Logger, 'warn' | 'error'> | undefined;
}

/** A {@link SessionStore} in Redis, with a view of how Redis is answering. */
export interface RedisStore extends SessionStore {
  /**
   * How Redis has been answering: wire it to a readiness check, and see the README for
   * what to do when it stays failing while Redis itself answers.
   */
  health(): RedisHealth;
}

/** The defaults of {@link redisStore}, kept as data. */
export const redisStoreDefaults = Object.freeze({
  prefix: 'session:',
  commandTimeoutMs: 2000,
  maxSessionBytes: 1_048_576,
});

const optionNames = [
  'client',
  'prefix',
  'idleTimeoutSeconds',
  'absoluteTimeoutSeconds',
  'touchAfterSeconds',
  'commandTimeoutMs',
  'maxSessionBytes',
  'now',
  'logger',
] as const;

/**
 * An update retries while other processes' writes of the same session land between its read
 * and its write (those of this process do not, see {@link chains}); past this many tries it
 * rejects, which wrapSession answers with its store-error response (503).
 */
const maxUpdateTries = 128;
/** The tries of an update that retry at once; before each later one it waits a random while. */
const backoffAfterTries = 3;
/** The longest of those waits, in milliseconds: each is random, up to the tries so far. */
const maxBackoffMs = 16;

/**
 * The updates of one session in this process in flight, as one chain: each expects what those
 * sent before it leave, so all land (they used to race each other in Redis, where on one
 * pipelined connection the same update could lose every round, 128 times). Shared by the
 * stores of the process, keyed by the Redis key: two stores (two clients) of one Redis do not
 * race either, though their commands may reach it out of the order sent, which costs a try.
 */
const chains = new Chains();

/** A Lua script and its SHA-1, for `EVALSHA`. */
interface Script {
  readonly text: string;
  readonly sha: string;
}

function scriptOf(text: string): Script {
  return { text, sha: createHash('sha1').update(text).digest('hex') };
}

const writeIf = scriptOf(writeIfScript);
const touch = scriptOf(touchScript);

/** A session this store read: always with its JSON. */
type Read = StoredSession & { json: string };

/** 256-bit ids, base64url without padding: 43 characters (OWASP SM "Session ID Entropy"). */
const idPattern = /^[A-Za-z0-9_-]{43}$/;

/**
 * Sessions in Redis or a Redis Cluster, shared by every app server that uses the same Redis
 * and prefix. One key per session (`<prefix><id>`), holding its creation and touch times and
 * its data as JSON, written with its TTL in the same command; the TTL is the shorter of the
 * idle timeout and what remains of the absolute timeout. Reading is one `GET`; an update (a
 * write of a session read before, see `SessionStore.update`) one script that writes only if
 * the data is still what was read, and otherwise answers what is there to try again from (an
 * update expects what the updates of this process sent before it leave, so they all land);
 * writing one `SET … EX … XX` (a session deleted meanwhile stays deleted); touching one
 * script that moves the touch time and the TTL without rewriting the data; deleting one `DEL`.
 *
 * Ids are 32 random bytes; a malformed id never reaches Redis and an id Redis does not hold
 * is never adopted. A stored value that is not ours is no session: it is logged and deleted.
 * Every command has a bounded wait; a failure rejects, which `wrapSession` answers with its
 * store-error response (503), and the store serves again as soon as Redis answers.
 *
 * @example
 * import { createClient } from 'redis';
 * import { redisStore } from 'sessionkit/redis';
 *
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
 * client.on('error', (error) => console.error('redis', error));
 * await client.connect();
 * const app = wrapSession({ store: redisStore({ client }) })(handler);
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  checkOptions('redisStore', options, optionNames, timeoutHints);
  if (options === undefined) {
    throw invalidOption('redisStore', 'client', undefined, 'a node-redis or ioredis client');
  }
  const timeouts = resolveTimeouts('redisStore', options);
  const { idleTimeoutSeconds: idle, absoluteTimeoutSeconds: absolute, now } = timeouts;
  const { touchAfterSeconds: touchAfter } = timeouts;
  const prefix = options.prefix ?? redisStoreDefaults.prefix;
  // Printable ASCII but space, `{` and `}`.
  if (typeof prefix !== 'string' || !/^[\x21-\x7a\x7c\x7e]{1,100}$/.test(prefix)) {
    throw invalidOption(
      'redisStore',
      'prefix',
      prefix,
      '1 to 100 printable ASCII characters without spaces or braces, such as "session:"',
    );
  }
  const timeoutMs = integerOption(
    'redisStore',
    'commandTimeoutMs',
    options.commandTimeoutMs,
    redisStoreDefaults.commandTimeoutMs,
    1,
    60_000,
  );
  const maxBytes = integerOption(
    'redisStore',
    'maxSessionBytes',
    options.maxSessionBytes,
    redisStoreDefaults.maxSessionBytes,
    2,
  );
  const logger = loggerOption('redisStore', options.logger, consoleLogger);
  const { kind, send } = commandSender(options.client);
  const guard = new Guard(send, kind, timeoutMs, logger);
  const seconds = (): number => Math.floor(now() / 1000);
  const run = (key: string, args: string[]): Promise<unknown> => guard.run(key, args);
  /**
   * Runs one of the store's scripts on `key` by its SHA-1 (`EVALSHA`: the script's text is not
   * sent, nor hashed again by Redis, on every call); a server that does not hold it yet (after
   * a restart, a failover, on a new cluster node) answers NOSCRIPT, and the text goes once.
   */
  const script = async (source: Script, key: string, args: string[]): Promise<unknown> => {
    try {
      return await run(key, ['EVALSHA', source.sha, '1', key, ...args]);
    } catch (error) {
      // By the reply's class, or by its text where a bundler renamed the class.
      const cause = (error as Error).cause;
      const noScript =
        replyCode(cause) === 'NOSCRIPT' ||
        (cause instanceof Error && cause.message.startsWith('NOSCRIPT'));
      if (!noScript) throw error;
      return run(key, ['EVAL', source.text, '1', key, ...args]);
    }
  };

  /** a value that is not ours is no session; it is reported once and deleted. */
  async function corrupt(key: string, why: string): Promise<undefined> {
    logger.warn(
      `sessionkit: redisStore: a value under the prefix ${JSON.stringify(prefix)} is not a session (${why}); it is deleted and the request goes on without a session`,
    );
    try {
      await run(key, ['DEL', key]);
    } catch (error) {
      logger.error('sessionkit: redisStore: could not delete the unreadable value', error);
    }
    return undefined;
  }

  async function read(key: string): Promise<Read | undefined> {
    if (!idPattern.test(key)) return undefined; // L-02: never reaches Redis
    const redisKey = prefix + key;
    let reply: unknown;
    try {
      reply = await run(redisKey, ['GET', redisKey]);
    } catch (error) {
      if (replyCode((error as Error).cause) === 'WRONGTYPE')
        return corrupt(redisKey, 'not a string');
      throw error;
    }
    if (reply === null || reply === undefined) return undefined;
    return session(redisKey, reply);
  }

  /** The session in a value read from `redisKey`, or undefined when it has ended or is not one. */
  async function session(redisKey: string, reply: unknown): Promise<Read | undefined> {
    const text = typeof reply === 'string' ? reply : Buffer.isBuffer(reply) ? reply.toString() : '';
    const value = decodeValue(text);
    if (value === undefined) return corrupt(redisKey, 'no sessionkit header');
    const at = seconds();
    // L-08, L-09: the timeouts hold by the stored times, whatever the TTL says.
    if (at - value.touchedAt >= idle || at - value.createdAt >= absolute) return undefined;
    let data: unknown;
    try {
      data = parseSessionJson(value.json);
    } catch {
      return corrupt(redisKey, 'invalid JSON');
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      return corrupt(redisKey, 'not a JSON object');
    }
    return {
      data: data as SessionData,
      createdAt: value.createdAt,
      stale: at - value.touchedAt >= touchAfter,
      json: value.json,
    };
  }

  /** the seconds a session created at `created` may live from `at`; ≤ 0 when it has ended. */
  const ttlAt = (created: number, at: number): number => Math.min(idle, created + absolute - at);

  /** Z-06: the JSON of `data`, refused when over maxSessionBytes. */
  function sized(data: SessionData): string {
    const json = stringifySession(data);
    if (json.length > maxBytes / 3 && Buffer.byteLength(json) > maxBytes) {
      throw new SessionkitError(
        'session_too_large',
        `redisStore: the session is ${Buffer.byteLength(json)} bytes of JSON, more than maxSessionBytes (${maxBytes}); keep large data elsewhere and its id in the session, or raise maxSessionBytes`,
      );
    }
    return json;
  }

  return {
    read,

    async write(
      key: string | undefined,
      data: SessionData,
      createdAt?: number,
    ): Promise<string | undefined> {
      const json = sized(data);
      const at = seconds();
      const created = createdAt ?? at;
      const ttl = ttlAt(created, at);
      if (key !== undefined) {
        // a key Redis does not hold (never issued, deleted, expired) stays gone.
        if (!idPattern.test(key)) return undefined;
        const redisKey = prefix + key;
        if (ttl <= 0) {
          // past its absolute timeout the session ends instead of being written.
          await run(redisKey, ['DEL', redisKey]);
          return undefined;
        }
        const value = encodeValue(json, created, at);
        const reply = await run(redisKey, ['SET', redisKey, value, 'EX', String(ttl), 'XX']);
        return reply === null ? undefined : key;
      }
      const value = encodeValue(json, created, at);
      for (let attempt = 0; attempt < 3; attempt++) {
        const id = randomBytes(32).toString('base64url');
        const redisKey = prefix + id;
        // NX: a new session never lands on an existing one, however unlikely.
        const reply = await run(redisKey, [
          'SET',
          redisKey,
          value,
          'EX',
          String(Math.max(ttl, 1)),
          'NX',
        ]);
        if (reply !== null) return id;
      }
      throw new Error('redisStore: three random session ids in a row were taken');
    },

    async update(
      key: string,
      change: SessionChange,
      known?: StoredSession,
    ): Promise<{ key: string; json: string } | undefined> {
      if (!idPattern.test(key)) return undefined;
      const redisKey = prefix + key;
      return chains.with(redisKey, async (chain) => {
        // The first try expects what the caller read (one round trip when nothing changed
        // since), unless writes of this session are in flight: then what they leave.
        let current: Read | undefined =
          known?.json === undefined ? undefined : { ...known, json: known.json };
        if (current === undefined && chain.expected === undefined) {
          const mark = chain.mark();
          current = await read(key);
          if (current !== undefined)
            chain.read(mark, { createdAt: current.createdAt, json: current.json });
        }
        for (let tries = 1; ; tries++) {
          // While writes of this session are in flight, what they leave once they land.
          const expected = chain.expected;
          if (expected !== undefined && expected.json !== current?.json) {
            const data = parseSessionJson(expected.json) as SessionData;
            current = { ...expected, data, stale: false };
          }
          if (current === undefined) return undefined;
          const json = sized(change(current));
          const at = seconds();
          const ttl = ttlAt(current.createdAt, at);
          if (ttl <= 0) {
            await run(redisKey, ['DEL', redisKey]);
            return undefined;
          }
          const sending = script(writeIf, redisKey, [
            createHash('sha1').update(current.json).digest('hex'),
            encodeValue(json, current.createdAt, at),
            String(ttl),
          ]);
          const ticket = chain.sent({ createdAt: current.createdAt, json });
          const reply = await sending;
          if (reply === 1) return { key, json };
          if (reply === 0) return undefined; // deleted meanwhile
          // Another write landed first, and the script answered what it stored.
          if (typeof reply !== 'string' && !Buffer.isBuffer(reply)) {
            throw new Error(`redisStore: the conditional write answered ${typeof reply}`);
          }
          if (tries === maxUpdateTries) {
            throw new Error(
              `redisStore: ${maxUpdateTries} writes of one session in a row found that another write had landed first`,
            );
          }
          current = await session(redisKey, reply);
          if (current === undefined) return undefined;
          chain.failed(ticket, { createdAt: current.createdAt, json: current.json });
          if (tries >= backoffAfterTries) {
            // Writers that keep meeting would keep meeting in the same order, which can make
            // the same one lose every time: a random pause, then a fresh read, breaks the order.
            await delay(Math.random() * Math.min(tries, maxBackoffMs));
            const mark = chain.mark();
            current = await read(key);
            if (current !== undefined)
              chain.read(mark, { createdAt: current.createdAt, json: current.json });
          }
        }
      });
    },

    async touch(key: string): Promise<string | undefined> {
      if (!idPattern.test(key)) return undefined;
      const redisKey = prefix + key;
      const at = seconds();
      const reply = await script(touch, redisKey, [
        String(at),
        String(idle),
        String(absolute),
        digits(at),
      ]);
      return reply === 1 ? key : undefined;
    },

    async delete(key: string): Promise<void> {
      if (!idPattern.test(key)) return;
      const redisKey = prefix + key;
      await run(redisKey, ['DEL', redisKey]);
    },

    health: () => guard.health(),
  };
}
