// What the `sessionkit` command reads and writes.

/** What the command reads and writes, so that it runs the same in a test. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** The whole of standard input, for `open -`. */
  stdin(): Promise<string>;
  /** Milliseconds since the epoch. */
  now(): number;
}
