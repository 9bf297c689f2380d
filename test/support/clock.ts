/** A clock the test moves by hand: time is controlled, never waited for. */
export class Clock {
  ms: number;
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.ms = start;
  }
  now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
  get seconds(): number {
    return Math.floor(this.ms / 1000);
  }
}
