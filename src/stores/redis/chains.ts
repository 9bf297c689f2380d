/** A session as a conditional write expects to find it: its creation time and its JSON. */
export interface Expected {
  createdAt: number;
  json: string;
}

/**
 * The conditional writes of one session sent and not yet answered, as one chain: each expects
 * what the one sent before it writes, so that writes sent together all land, in the order
 * they were sent (one connection runs its commands in that order), instead of racing.
 */
export class Chain {
  /** What the session holds once the writes sent so far have run, if they all land. */
  expected: Expected | undefined;
  /** Updates using the chain; it lives while one does. */
  users = 0;
  /** Bumped when the chain breaks; the writes sent before are bound to fail. */
  #generation = 0;
  /** Writes sent so far. */
  #sent = 0;

  /** Records a write sent that leaves `value`; returns its ticket for {@link failed}. */
  sent(value: Expected): number {
    this.expected = value;
    this.#sent++;
    return this.#generation;
  }

  /**
   * The write sent with `ticket` found `found` instead of what it expected: the chain broke
   * there, so the writes sent after it fail too, and the next one expects `found`. Once per
   * break: a later write of the broken chain failing says nothing newer.
   */
  failed(ticket: number, found: Expected): void {
    if (ticket !== this.#generation) return;
    this.#generation++;
    this.expected = found;
  }

  /** A mark to pass to {@link read}. */
  mark(): number {
    return this.#sent;
  }

  /**
   * `found` was read by a command issued at `mark`: when no write was sent since, it is what
   * the session holds after all of them, and the next write expects it.
   */
  read(mark: number, found: Expected): void {
    if (mark !== this.#sent) return;
    this.#generation++;
    this.expected = found;
  }
}

/** One {@link Chain} per session key, while an update of it runs. */
export class Chains {
  readonly #chains = new Map<string, Chain>();

  /** Runs `work` with the chain of `key`. */
  async with<R>(key: string, work: (chain: Chain) => Promise<R>): Promise<R> {
    let chain = this.#chains.get(key);
    if (chain === undefined) {
      chain = new Chain();
      this.#chains.set(key, chain);
    }
    chain.users++;
    try {
      return await work(chain);
    } finally {
      chain.users--;
      if (chain.users === 0) this.#chains.delete(key);
    }
  }
}
