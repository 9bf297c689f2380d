import type { Logger } from '../../core/types.ts';
import type { ClientKind, Send } from './client.ts';

/** How Redis has been answering {@link RedisStore}'s commands. */
export interface RedisHealth {
  /** True unless the last command failed or timed out (and none answered since). */
  readonly ok: boolean;
  /** When the current run of failures began, in epoch milliseconds; undefined while ok. */
  readonly failingSince: number | undefined;
  /** Commands failed or refused since then; 0 while ok. */
  readonly failures: number;
  /** What the last failure said; undefined while ok. */
  readonly lastError: string | undefined;
}

const healthy: RedisHealth = Object.freeze({
  ok: true,
  failingSince: undefined,
  failures: 0,
  lastError: undefined,
});

/**
 * Sends commands with a bounded wait, and stops sending while Redis does not answer.
 *
 * Every command gets `timeoutMs`; past it the caller's promise rejects (the command itself
 * may still run later: Redis or the client may hold it). After a timeout the guard fails
 * fast for `timeoutMs`, then lets a single command through as a probe while the others keep
 * failing fast: a paused or wedged Redis collects at most one command per interval instead
 * of one per request. Any reply, even a late one to a timed-out command, closes the guard.
 */
export class Guard {
  readonly #send: Send;
  readonly #timeoutMs: number;
  readonly #logger: Pick<Logger, 'warn' | 'error'>;
  readonly #kind: ClientKind;
  /** Who sends, in messages: `redisStore` or `redisRevocations`. */
  readonly #label: string;
  /** `performance.now()` until which commands fail fast; 0 when commands go through. */
  #openUntil = 0;
  #probing = false;
  #health: RedisHealth = healthy;

  constructor(
    send: Send,
    kind: ClientKind,
    timeoutMs: number,
    logger: Pick<Logger, 'warn' | 'error'>,
    label = 'redisStore',
  ) {
    this.#label = label;
    this.#send = send;
    this.#kind = kind;
    this.#timeoutMs = timeoutMs;
    this.#logger = logger;
  }

  health(): RedisHealth {
    return this.#health;
  }

  /** Sends `args` (whose key is `key`); rejects on an error reply, a failure or a timeout. */
  run(key: string, args: string[]): Promise<unknown> {
    let probe = false;
    if (this.#openUntil !== 0) {
      if (this.#probing || performance.now() < this.#openUntil) {
        const error = storeError(
          this.#label,
          `${args[0]} not sent: Redis has not answered a command within ${this.#timeoutMs} ms since ${new Date(this.#health.failingSince ?? Date.now()).toISOString()}; the store fails fast and retries one command every ${this.#timeoutMs} ms`,
        );
        this.#failed(error);
        return Promise.reject(error);
      }
      probe = this.#probing = true;
    }
    return new Promise((resolve, reject) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        if (probe) this.#probing = false;
        this.#openUntil = performance.now() + this.#timeoutMs;
        const error = storeError(
          this.#label,
          `${args[0]} got no answer from Redis within ${this.#timeoutMs} ms`,
        );
        this.#failed(error);
        reject(error);
      }, this.#timeoutMs);
      let pending: Promise<unknown>;
      try {
        pending = this.#send(key, args);
      } catch (error) {
        pending = Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      pending.then(
        (reply) => {
          clearTimeout(timer);
          if (probe) this.#probing = false;
          this.#answered();
          if (!late) resolve(reply);
        },
        (cause: unknown) => {
          clearTimeout(timer);
          if (late) return;
          if (probe) {
            this.#probing = false;
            this.#openUntil = performance.now() + this.#timeoutMs;
          }
          // An error reply such as WRONGTYPE is an answer: Redis is up. LOADING, BUSY,
          // CLUSTERDOWN and the like say it cannot serve.
          const code = replyCode(cause);
          const error = storeError(this.#label, `${args[0]} failed: ${messageOf(cause)}`, cause);
          if (code !== undefined && !unavailable.has(code)) this.#answered();
          else this.#failed(error);
          reject(error);
        },
      );
    });
  }

  #answered(): void {
    this.#openUntil = 0;
    const was = this.#health;
    if (was.ok) return;
    this.#health = healthy;
    const seconds = ((Date.now() - (was.failingSince ?? Date.now())) / 1000).toFixed(1);
    this.#logger.warn(
      `sessionkit: ${this.#label}: Redis answers again after ${seconds} s (${was.failures} commands failed meanwhile)`,
    );
  }

  #failed(error: Error): void {
    const was = this.#health;
    this.#health = {
      ok: false,
      failingSince: was.failingSince ?? Date.now(),
      failures: was.failures + 1,
      lastError: error.message,
    };
    if (was.ok) {
      this.#logger.error(
        `sessionkit: ${this.#label}: Redis (${this.#kind}) is failing; requests that need a session get the store-error response (503) until it answers`,
        error,
      );
    }
  }
}

/** A failure of the store's Redis, as `wrapSession` receives it (its store-error path). */
function storeError(label: string, message: string, cause?: unknown): Error {
  const error = new Error(`${label}: ${message}`, cause === undefined ? undefined : { cause });
  error.name = 'RedisStoreError';
  return error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Error-reply codes that mean the server cannot serve now, rather than "your command was wrong". */
const unavailable = new Set([
  'LOADING',
  'BUSY',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'MASTERDOWN',
  'MISCONF',
  'READONLY',
  'NOREPLICAS',
  'OOM',
]);

/**
 * The code of an error reply from the server (RESP `-WRONGTYPE …`: the first word, by the
 * protocol's convention), or undefined for any other error (a timeout, a closed socket).
 * Both clients raise error replies as instances of one class: node-redis `ErrorReply`,
 * ioredis `ReplyError`.
 */
export function replyCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  for (let p: unknown = Object.getPrototypeOf(error); p !== null; p = Object.getPrototypeOf(p)) {
    const name = (p as { constructor?: { name?: unknown } }).constructor?.name;
    if (name === 'ErrorReply' || name === 'ReplyError') return /^[A-Z]+/.exec(error.message)?.[0];
    if (name === 'Error') return undefined;
  }
  return undefined;
}
