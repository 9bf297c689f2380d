// The TypeScript values that stand for EDN's values that JavaScript lacks. Each class keeps
// exactly what its EDN text needs to be written back, and checks it when constructed, so an
// instance always writes valid EDN that reads back equal (docs/decisions/0011-edn-mapping.md).

/**
 * One segment of a keyword or symbol: EDN's symbol characters (letters and digits of any
 * script and `. * + ! - _ ? $ % & = < >`, plus `: # '` after the first), not starting with a
 * digit nor with `+`, `-` or `.` followed by a digit, not ending in `:` and without `::`.
 */
const segment = String.raw`(?:[\p{L}*!_?$%&=<>]|[+\-.](?!\p{N}))[\p{L}\p{N}*+!\-_?$%&=<>.:#']*`;
const namePattern = new RegExp(`^(?:${segment}/)?${segment}$`, 'u');

/**
 * True when `text` is the name of a keyword (without its `:`) or of a symbol that EDN can
 * read back unchanged: `user`, `my.app/role`, `anti-forgery-token`, `valid?`.
 */
export function isEdnName(text: string): boolean {
  return (
    typeof text === 'string' &&
    text.length <= 1000 &&
    namePattern.test(text) &&
    !text.endsWith(':') &&
    !text.includes('::') &&
    !text.includes(':/')
  );
}

/**
 * An EDN keyword used as a value (`:admin`, `:my.app/role`). As a map key a keyword is a
 * plain object key instead (`{:user "a"}` → `{ user: 'a' }`). `text` is the keyword without
 * its colon, as object keys are.
 *
 * @example
 * new EdnKeyword('success').toString() // ':success'
 */
export class EdnKeyword {
  readonly text: string;
  constructor(text: string) {
    if (!isEdnName(text)) throw new TypeError(`EdnKeyword: not a keyword name: ${show(text)}`);
    this.text = text;
    Object.freeze(this);
  }
  /** The part after the `/`, or the whole text. */
  get name(): string {
    return this.text.slice(this.text.indexOf('/') + 1);
  }
  /** The part before the `/`, or undefined. */
  get namespace(): string | undefined {
    const slash = this.text.indexOf('/');
    return slash === -1 ? undefined : this.text.slice(0, slash);
  }
  toString(): string {
    return `:${this.text}`;
  }
}

/** An EDN symbol (`foo`, `a.b/c`, `/`). `nil`, `true` and `false` are literals, not symbols. */
export class EdnSymbol {
  readonly text: string;
  constructor(text: string) {
    if (!(
      text === '/' ||
      (isEdnName(text) && text !== 'nil' && text !== 'true' && text !== 'false')
    )) {
      throw new TypeError(`EdnSymbol: not a symbol name: ${show(text)}`);
    }
    this.text = text;
    Object.freeze(this);
  }
  toString(): string {
    return this.text;
  }
}

/** An EDN character (`\x`, `\space`, `\u00e9`): one UTF-16 code unit, as a Java `char`. */
export class EdnChar {
  readonly char: string;
  constructor(char: string) {
    const code = typeof char === 'string' && char.length === 1 ? char.charCodeAt(0) : -1;
    if (code === -1 || (code >= 0xd800 && code <= 0xdfff)) {
      throw new TypeError('EdnChar: expected one UTF-16 code unit that is not a surrogate');
    }
    this.char = char;
    Object.freeze(this);
  }
  toString(): string {
    return this.char;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

/**
 * An EDN ratio (`1/3`), in lowest terms with a positive denominator above 1: a ratio that
 * reduces to a whole number is a number in EDN, so the constructor refuses it.
 */
export class EdnRatio {
  readonly numerator: bigint;
  readonly denominator: bigint;
  constructor(numerator: bigint, denominator: bigint) {
    if (typeof numerator !== 'bigint' || typeof denominator !== 'bigint' || denominator === 0n) {
      throw new TypeError('EdnRatio: expected two bigints, the denominator not 0');
    }
    const sign = denominator < 0n ? -1n : 1n;
    const divisor = gcd(numerator, denominator);
    this.numerator = (sign * numerator) / divisor;
    this.denominator = (sign * denominator) / divisor;
    if (this.denominator === 1n) {
      throw new TypeError(`EdnRatio: ${numerator}/${denominator} is a whole number, not a ratio`);
    }
    Object.freeze(this);
  }
  /** The nearest double. */
  valueOf(): number {
    return Number(this.numerator) / Number(this.denominator);
  }
  toString(): string {
    return `${this.numerator}/${this.denominator}`;
  }
}

const decimalPattern = /^-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?$/;

/**
 * The text Java's `BigDecimal.toString` gives for a decimal's text: the same unscaled value
 * and scale (`1.50` stays `1.50`), plain unless the scale is negative or the adjusted
 * exponent below -6 (`1.5E+3`, `1E-7`).
 */
function canonicalDecimal(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text)!;
  const fraction = m[3] ?? '';
  const digits = (m[2]! + fraction).replace(/^0+(?=\d)/, '');
  const scale = fraction.length - Number(m[4] ?? 0);
  const adjusted = digits.length - 1 - scale;
  const sign = m[1] === '-' && /[1-9]/.test(digits) ? '-' : '';
  if (scale === 0) return sign + digits;
  if (scale > 0 && adjusted >= -6) {
    const padded = digits.padStart(scale + 1, '0');
    return `${sign}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}E${adjusted < 0 ? '' : '+'}${adjusted}`;
}

/**
 * An EDN arbitrary-precision decimal (`1.50M`), kept as its text without the `M`, in the form
 * Java's `BigDecimal` prints (`1.5e3` becomes `1.5E+3`), so that equal decimals are equal here.
 */
export class EdnDecimal {
  readonly text: string;
  constructor(text: string) {
    if (typeof text !== 'string' || text.length > 1000 || !decimalPattern.test(text)) {
      throw new TypeError(`EdnDecimal: not a decimal number: ${show(text)}`);
    }
    this.text = canonicalDecimal(text);
    Object.freeze(this);
  }
  /** The nearest double. */
  valueOf(): number {
    return Number(this.text);
  }
  toString(): string {
    return this.text;
  }
}

/** RFC 3339 as `clojure.instant` reads it: every part after the year optional. */
const instPattern =
  /^(\d{4})(?:-(\d\d)(?:-(\d\d)(?:T(\d\d)(?::(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?)?)?)?(?:Z|([-+])(\d\d):(\d\d))?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Epoch milliseconds of an `#inst` text, or undefined when it is not one `clojure.instant` reads. */
function instMillis(text: string): number | undefined {
  const m = instPattern.exec(text);
  if (m === null) return undefined;
  const [year, month = 1, day = 1, hour = 0, minute = 0, second = 0] = [1, 2, 3, 4, 5, 6].map(
    (i) => (m[i] === undefined ? undefined : Number(m[i])),
  ) as [number, ...(number | undefined)[]];
  const offsetHours = Number(m[9] ?? 0);
  const offsetMinutes = Number(m[10] ?? 0);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysIn(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > (minute === 59 ? 60 : 59) ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    return undefined;
  }
  const fraction = Number(`0.${m[7] ?? '0'}`);
  const offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, Math.floor(fraction * 1000));
  return utc.getTime() - offset;
}

/**
 * An EDN instant (`#inst "2023-11-14T22:13:20.123-00:00"`), kept as its RFC 3339 text so it
 * writes back exactly; {@link EdnInst.toDate} gives the `Date`.
 */
export class EdnInst {
  readonly text: string;
  constructor(text: string) {
    if (typeof text !== 'string' || instMillis(text) === undefined) {
      throw new TypeError(`EdnInst: not an RFC 3339 instant: ${show(text)}`);
    }
    this.text = text;
    Object.freeze(this);
  }
  /** The instant as Clojure prints a `java.util.Date`: UTC, milliseconds, `-00:00`. */
  static fromDate(date: Date): EdnInst {
    const time = date instanceof Date ? date.getTime() : NaN;
    if (!Number.isFinite(time) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) {
      throw new TypeError('EdnInst.fromDate: expected a valid Date between years 0 and 9999');
    }
    return new EdnInst(`${date.toISOString().slice(0, 23)}-00:00`);
  }
  toDate(): Date {
    return new Date(instMillis(this.text)!);
  }
  toString(): string {
    return this.text;
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An EDN UUID (`#uuid "0f8fad5b-…"`), lower case as Clojure prints it. */
export class EdnUuid {
  readonly text: string;
  constructor(text: string) {
    const lower = typeof text === 'string' ? text.toLowerCase() : '';
    if (!uuidPattern.test(lower)) throw new TypeError(`EdnUuid: not a UUID: ${show(text)}`);
    this.text = lower;
    Object.freeze(this);
  }
  toString(): string {
    return this.text;
  }
}

/**
 * The values {@link parseEdn} gives and {@link stringifyEdn} takes. Plain objects are maps
 * whose keys are all keywords; a `Map` is a map with at least one other key.
 */
export type EdnValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | EdnKeyword
  | EdnSymbol
  | EdnChar
  | EdnRatio
  | EdnDecimal
  | EdnInst
  | EdnUuid
  | EdnValue[]
  | Set<EdnValue>
  | Map<EdnValue, EdnValue>
  | { [keyword: string]: EdnValue };

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}
