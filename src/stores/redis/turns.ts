/** One key's queue: the promise that settles when its last turn ends, and what turns leave. */
interface Line<T> {
  tail: Promise<void>;
  left: T | undefined;
}

/**
 * Turns per key, taken one at a time in the order they were asked for. `redisStore` runs
 * each update of a session in a turn: the updates of one session by one process then never
 * meet in Redis (where, racing, one of them could lose every time), and each starts from what
 * the one before it wrote instead of from what its request read.
 */
export class Turns<T> {
  readonly #lines = new Map<string, Line<T>>();

  /**
   * Runs `work` once the turns of `key` asked for before have ended, and resolves or rejects
   * as it does. `work` gets what the turn before it left, or undefined when none was waited
   * for or it left nothing; it resolves to its result and what it leaves for the next turn.
   */
  async take<R>(
    key: string,
    work: (previous: T | undefined) => Promise<{ result: R; left?: T | undefined }>,
  ): Promise<R> {
    let end!: () => void;
    const tail = new Promise<void>((resolve) => (end = resolve));
    const line = this.#lines.get(key);
    const waited = line?.tail;
    const mine = line ?? { tail, left: undefined };
    mine.tail = tail;
    if (line === undefined) this.#lines.set(key, mine);
    let left: T | undefined;
    try {
      if (waited !== undefined) await waited;
      const done = await work(waited === undefined ? undefined : mine.left);
      left = done.left;
      return done.result;
    } finally {
      mine.left = left;
      if (mine.tail === tail) this.#lines.delete(key); // nobody waits: the line goes
      end();
    }
  }
}
