import type { Unsealed } from '../../crypto/seal.ts';
import type { Header } from './payload.ts';

/** An opened value as the cache keeps it: the whole sealed value and what it opened to. */
export class CachedValue implements Unsealed {
  /** The payload's header, once a read parsed it: writes and logouts need no second parse. */
  header: Header | undefined = undefined;
  /**
   * The data's JSON within the plaintext (see `dataTextOf`), so that a read parses only that;
   * null when the plaintext is not laid out for it; undefined until known.
   */
  data: string | null | undefined = undefined;

  constructor(
    readonly sealed: string,
    readonly tail: string,
    readonly plaintext: string,
    readonly keyIndex: number,
    readonly version: 1 | 2,
    /** Its place in the ring, so that a delete can drop it from memory at once. */
    readonly slot: number,
  ) {}
}

/** What a deleted entry's ring slot holds: nothing of the session stays in memory. */
const vacant = new CachedValue('', '', '', 0, 2, -1);

/** The last 22 base64url characters of a sealed value: its 16-byte tag, near enough. */
function tagOf(sealed: string): string {
  return sealed.slice(-22);
}

/**
 * A bounded cache of opened values, evicted oldest first. It is found by the value's tag and
 * then compared in full: hashing a whole ~350-character value, a fresh string on every
 * request, made each Map lookup cost about 0.4 µs.
 */
export class OpenedCache {
  readonly #capacity: number;
  readonly #byTag = new Map<string, CachedValue>();
  /** Every entry set, oldest at `#next` once full; one that was replaced or deleted evicts nothing. */
  readonly #ring: CachedValue[] = [];
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(sealed: string): CachedValue | undefined {
    const cached = this.#byTag.get(tagOf(sealed));
    return cached !== undefined && cached.sealed === sealed ? cached : undefined;
  }

  /** Keeps `sealed` and what it opened to; returns the entry (undefined when the cache is off). */
  set(
    sealed: string,
    { plaintext, keyIndex, version }: Unsealed,
    header?: Header,
  ): CachedValue | undefined {
    if (this.#capacity === 0) return undefined;
    const full = this.#ring.length === this.#capacity;
    const slot = full ? this.#next : this.#ring.length;
    const cached = new CachedValue(sealed, tagOf(sealed), plaintext, keyIndex, version, slot);
    cached.header = header;
    if (full) {
      const oldest = this.#ring[slot]!;
      if (this.#byTag.get(oldest.tail) === oldest) this.#byTag.delete(oldest.tail);
      this.#ring[slot] = cached;
      this.#next = (slot + 1) % this.#capacity;
    } else {
      this.#ring.push(cached);
    }
    this.#byTag.set(cached.tail, cached);
    return cached;
  }

  /** Forgets `sealed` entirely: the Map entry and the ring slot (logout). */
  delete(sealed: string): void {
    const cached = this.#byTag.get(tagOf(sealed));
    if (cached === undefined || cached.sealed !== sealed) return;
    this.#byTag.delete(cached.tail);
    if (this.#ring[cached.slot] === cached) this.#ring[cached.slot] = vacant;
  }
}
