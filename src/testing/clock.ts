/**
 * A clock that a test moves by hand, in milliseconds since the epoch: time is controlled,
 * never waited for. Pass `clock.now` as a store's `now` option.
 *
 * @example
 * const clock = new Clock();
 * const store = memoryStore({ now: clock.now });
 * clock.advance(3600); // an hour later
 */
export class Clock {
  /** The current time, in milliseconds since the epoch. */
  ms: number;
  /** @param start the starting time in milliseconds. @default 2026-01-01T00:00:00Z */
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.ms = start;
  }
  /** The current time in milliseconds: a bound function, ready to pass as `now`. */
  now = (): number => this.ms;
  /** Moves the clock forward by `seconds`. */
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
  /** The current time in whole seconds. */
  get seconds(): number {
    return Math.floor(this.ms / 1000);
  }
}
