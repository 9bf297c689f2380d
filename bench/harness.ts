/**
 * A small calibrated loop harness for synchronous micro-benchmarks: warm up, run the function
 * in batches for a fixed time per round, several rounds, and keep the median.
 *
 * Speeds are operations per wall-clock second by default. With `clock: 'cpu'` they are per
 * second of CPU time used by this process (`process.cpuUsage()`, user + system): on a shared
 * machine another process taking the core then slows a round down without skewing its
 * result. Work on V8's helper threads (concurrent GC) is counted, so allocation still costs.
 */

/** How long and how often {@link measure} and {@link compare} run a function. */
export interface MeasureOptions {
  /** Wall-clock seconds per measured round. @default 1 */
  seconds?: number | undefined;
  /** Measured rounds; the median is reported. @default 5 */
  rounds?: number | undefined;
  /** Seconds of warm-up before the first round, to let the JIT settle. @default 0.5 */
  warmupSeconds?: number | undefined;
  /** What a second is: wall-clock time, or this process's CPU time. @default 'wall' */
  clock?: 'wall' | 'cpu' | undefined;
}

/** The result of measuring one function. */
export interface Measurement {
  name: string;
  /** The median of the rounds, in operations per second (of the chosen clock). */
  opsPerSecond: number;
  /** Every round, in operations per second, in the order they ran. */
  rounds: number[];
}

/** A function to measure, under a name. Return what the code under test produces. */
export interface BenchCase {
  name: string;
  fn: () => unknown;
}

/** Keeps results reachable so the JIT cannot drop the measured call as dead code. */
let sink: unknown;

/** Runs `fn` `count` times; returns the elapsed wall-clock nanoseconds. */
function runBatch(fn: () => unknown, count: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) sink = fn();
  return Number(process.hrtime.bigint() - start);
}

/**
 * Runs `fn` in batches for about `seconds` of wall-clock time; returns operations per second
 * of the chosen clock.
 */
function runFor(fn: () => unknown, batch: number, seconds: number, clock: 'wall' | 'cpu'): number {
  const budget = seconds * 1e9;
  const cpuStart = process.cpuUsage();
  let elapsed = 0;
  let operations = 0;
  while (elapsed < budget) {
    elapsed += runBatch(fn, batch);
    operations += batch;
  }
  if (clock === 'wall') return (operations * 1e9) / elapsed;
  const cpu = process.cpuUsage(cpuStart);
  return (operations * 1e6) / Math.max(cpu.user + cpu.system, 1);
}

/** A batch size whose run takes about a millisecond, so reading the clock costs nothing. */
function calibrate(fn: () => unknown): number {
  let batch = 1;
  while (batch < 2 ** 30 && runBatch(fn, batch) < 1e6) batch *= 2;
  return batch;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Measures several functions side by side: each is warmed up and calibrated, then the rounds
 * are interleaved (round 1 of every case, round 2 of every case, …) so that drift in the
 * machine's speed affects all cases alike. Returns one {@link Measurement} per case, in order.
 *
 * @example
 * const [ours, theirs] = compare([
 *   { name: 'sessionkit', fn: () => parseCookie(header) },
 *   { name: 'cookie', fn: () => cookie.parse(header) },
 * ]);
 */
export function compare(cases: readonly BenchCase[], options: MeasureOptions = {}): Measurement[] {
  const seconds = options.seconds ?? 1;
  const roundCount = options.rounds ?? 5;
  const warmupSeconds = options.warmupSeconds ?? 0.5;
  const clock = options.clock ?? 'wall';
  const batches = cases.map(({ fn }) => {
    const batch = calibrate(fn);
    runFor(fn, batch, warmupSeconds, clock);
    return batch;
  });
  const rounds = cases.map((): number[] => []);
  for (let round = 0; round < roundCount; round++) {
    cases.forEach(({ fn }, i) => rounds[i]!.push(runFor(fn, batches[i]!, seconds, clock)));
  }
  if (sink === measure) console.log('(unreachable)');
  return cases.map(({ name }, i) => ({
    name,
    opsPerSecond: median(rounds[i]!),
    rounds: rounds[i]!,
  }));
}

/**
 * Measures one synchronous function: warm-up, calibration, then `rounds` rounds of `seconds`
 * each; the median round, in operations per second.
 *
 * @example
 * const { opsPerSecond } = measure('parse', () => parseCookie(header), { seconds: 1 });
 */
export function measure(
  name: string,
  fn: () => unknown,
  options: MeasureOptions = {},
): Measurement {
  return compare([{ name, fn }], options)[0]!;
}

/** Formats operations per second with thousands separators and no decimals. */
export function formatOps(opsPerSecond: number): string {
  return Math.round(opsPerSecond).toLocaleString('en-US');
}

/**
 * Prints rows as a Markdown table; the columns are the keys of the first row, and columns
 * holding only numbers are right-aligned.
 *
 * @example
 * printTable([{ case: 'parse', 'sessionkit ops/s': '1,200,000', ratio: '1.25' }]);
 */
export function printTable(rows: ReadonlyArray<Record<string, string | number>>): void {
  const first = rows[0];
  if (first === undefined) return;
  const columns = Object.keys(first);
  const cells = rows.map((row) => columns.map((column) => String(row[column] ?? '')));
  const widths = columns.map((column, i) =>
    Math.max(column.length, ...cells.map((line) => line[i]!.length)),
  );
  const numeric = columns.map((_, i) => cells.every((line) => /^-?[\d,.]+$/.test(line[i]!)));
  const pad = (text: string, i: number): string =>
    numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const line = (parts: string[]): string => `| ${parts.join(' | ')} |`;
  console.log(line(columns.map(pad)));
  console.log(
    line(widths.map((width, i) => (numeric[i] ? '-'.repeat(width - 1) + ':' : '-'.repeat(width)))),
  );
  for (const row of cells) console.log(line(row.map(pad)));
}
