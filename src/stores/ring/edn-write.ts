// The EDN writer: the mapping of docs/decisions/0011-edn-mapping.md written back as Clojure's
// `pr-str` writes it, so that a session read from Ring and written unchanged gives the same
// EDN text byte for byte. It refuses what would not read back equal (security case C-14).
import { SessionkitError } from '../../core/errors.ts';
import {
  EdnChar,
  EdnDecimal,
  EdnInst,
  EdnKeyword,
  EdnRatio,
  EdnSymbol,
  EdnUuid,
  isEdnName,
} from './edn-values.ts';

/** Options of {@link stringifyEdn}. */
export interface EdnWriteOptions {
  /**
   * Deeper nesting is refused, so that what is written can be read back.
   * @default 64 (the reader's default)
   */
  maxDepth?: number | undefined;
  /**
   * Whether `NaN` is written (as `##NaN`). Ring refuses it in sessions: NaN is not equal to
   * itself, so its round-trip check fails.
   * @default true
   */
  nan?: boolean | undefined;
}

const longMin = -(2n ** 63n);
const longMax = 2n ** 63n - 1n;
const safeMax = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Writes `value` as EDN, the way Clojure's `pr-str` does: `{:k v, :k v}`, `[a b]`, `#{a b}`,
 * strings with only `"`, `\`, newline, tab, CR, formfeed and backspace escaped, doubles in
 * Java's notation (`1.0E100`, `-0.0`, `##Inf`). The inverse of {@link parseEdn}: any value
 * it accepts reads back deep-equal.
 *
 * - a plain object is a map with keyword keys, each key a keyword name (`'user'`,
 *   `'my.app/role'`); a `Map` is a map with other keys, and must hold at least one;
 * - a safe integer is a long; another finite number is a double; a `bigint` is `N` when a
 *   plain integer would read back as a number or not fit a long;
 * - arrays are vectors, `Set`s are sets, the `Edn*` classes write their own EDN.
 *
 * A property whose value is `undefined` is dropped, as `JSON.stringify` drops it.
 * Throws `unserializable_session` for anything else (`undefined` elsewhere, functions, `Date` — use
 * `EdnInst.fromDate` —, class instances, cycles, keys that are not keyword names, duplicate
 * set elements or map keys, nesting past `maxDepth`), naming where it is.
 *
 * @example
 * stringifyEdn({ user: 'alice', role: new EdnKeyword('admin') }) // '{:user "alice", :role :admin}'
 */
export function stringifyEdn(value: unknown, options: EdnWriteOptions = {}): string {
  return new Writer(options.maxDepth ?? 64, options.nan ?? true).write(value, '', 0);
}

/** The EDN text of a map key or set element, for duplicate checks. */
export function ednKey(key: unknown): string {
  return key instanceof EdnKeyword ? `:${key.text}` : stringifyEdn(key, { maxDepth: Infinity });
}

/** Java's `Double.toString`: plain from 10^-3 to 10^7, else `d.dddE±n`; shortest digits. */
export function javaDouble(n: number): string {
  if (Number.isNaN(n)) return '##NaN';
  if (n === Infinity) return '##Inf';
  if (n === -Infinity) return '##-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const plain = String(n);
    return plain.includes('.') ? plain : `${plain}.0`;
  }
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

const escapes: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\t': '\\t',
  '\r': '\\r',
  '\f': '\\f',
  '\b': '\\b',
};

/** Characters pr-str escapes, and lone surrogates (UTF-8 cannot carry them; `\uD800` can). */
const toEscape =
  /["\\\n\t\r\f\b]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function writeString(s: string): string {
  return `"${s.replace(toEscape, (c) => escapes[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase()}`)}"`;
}

const charNames: Record<string, string> = {
  '\n': 'newline',
  ' ': 'space',
  '\t': 'tab',
  '\b': 'backspace',
  '\f': 'formfeed',
  '\r': 'return',
};

function writeChar(c: string): string {
  const name = charNames[c];
  if (name !== undefined) return `\\${name}`;
  const code = c.charCodeAt(0);
  // Controls, spaces and separators as \uXXXX, so no reader can take them for whitespace.
  if (code < 0x21 || (code >= 0x7f && code <= 0xa0) || /[\s\u2028\u2029]/.test(c)) {
    return `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `\\${c}`;
}

function writeBigint(b: bigint): string {
  const magnitude = b < 0n ? -b : b;
  // A plain integer reads back as a number when safe, and is a BigInt in Clojure past a long.
  return magnitude <= safeMax || b < longMin || b > longMax ? `${b}N` : `${b}`;
}

function refuse(path: string, what: string): SessionkitError {
  return new SessionkitError(
    'unserializable_session',
    `session data at ${path || 'the top level'} is ${what}, which EDN cannot carry faithfully; store plain objects with keyword-name keys, arrays, strings, numbers, booleans, null, bigints, Sets, Maps and the Edn* values`,
  );
}

class Writer {
  readonly #maxDepth: number;
  readonly #nan: boolean;
  readonly #open = new Set<object>();

  constructor(maxDepth: number, nan: boolean) {
    this.#maxDepth = maxDepth;
    this.#nan = nan;
  }

  write(value: unknown, path: string, depth: number): string {
    switch (typeof value) {
      case 'string':
        return writeString(value);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'number':
        if (Number.isNaN(value) && !this.#nan) throw refuse(path, 'NaN');
        return Number.isSafeInteger(value) && !Object.is(value, -0)
          ? String(value)
          : javaDouble(value);
      case 'bigint':
        return writeBigint(value);
      case 'object':
        if (value === null) return 'nil';
        return this.#object(value, path, depth);
      default:
        throw refuse(path, typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`);
    }
  }

  #object(value: object, path: string, depth: number): string {
    if (value instanceof EdnKeyword) return `:${value.text}`;
    if (value instanceof EdnSymbol) return value.text;
    if (value instanceof EdnChar) return writeChar(value.char);
    if (value instanceof EdnRatio) return `${value.numerator}/${value.denominator}`;
    if (value instanceof EdnDecimal) return `${value.text}M`;
    if (value instanceof EdnInst) return `#inst ${writeString(value.text)}`;
    if (value instanceof EdnUuid) return `#uuid "${value.text}"`;
    if (depth >= this.#maxDepth) throw refuse(path, `nested deeper than ${this.#maxDepth}`);
    if (this.#open.has(value)) throw refuse(path, 'a cycle');
    this.#open.add(value);
    let out: string;
    if (Array.isArray(value)) {
      out = `[${value.map((v, i) => this.write(v, `${path}[${i}]`, depth + 1)).join(' ')}]`;
    } else if (value instanceof Set) {
      out = `#{${this.#unique([...(value as Set<unknown>)], path, depth, 'set element').join(' ')}}`;
    } else if (value instanceof Map) {
      out = this.#map(value as Map<unknown, unknown>, path, depth);
    } else {
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        const name = (value as { constructor?: { name?: string } }).constructor?.name;
        throw refuse(
          path,
          value instanceof Date
            ? 'a Date (write EdnInst.fromDate(date))'
            : `an instance of ${name ?? 'a class'}`,
        );
      }
      const entries: string[] = [];
      for (const key of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[key];
        // Dropped, as JSON.stringify drops it: `{ ...session, returnTo: undefined }` removes a key.
        if (item === undefined) continue;
        const at = path ? `${path}.${key}` : key;
        if (!isEdnName(key)) throw refuse(at, 'under a key that is not a keyword name');
        entries.push(`:${key} ${this.write(item, at, depth + 1)}`);
      }
      out = `{${entries.join(', ')}}`;
    }
    this.#open.delete(value);
    return out;
  }

  #unique(items: unknown[], path: string, depth: number, what: string): string[] {
    const seen = new Set<string>();
    return items.map((item, i) => {
      const text = this.write(item, `${path}[${i}]`, depth + 1);
      if (seen.has(text)) throw refuse(path, `a collection with a duplicate ${what}`);
      seen.add(text);
      return text;
    });
  }

  #map(map: Map<unknown, unknown>, path: string, depth: number): string {
    const keys = this.#unique([...map.keys()], path, depth, 'key');
    if (![...map.keys()].some((key) => !(key instanceof EdnKeyword))) {
      // It would read back as a plain object: C-14 wants what is accepted to round-trip.
      throw refuse(path, 'a Map whose keys are all keywords (use a plain object)');
    }
    const values = [...map.values()].map((v, i) => this.write(v, `${path}{${i}}`, depth + 1));
    return `{${keys.map((k, i) => `${k} ${values[i]}`).join(', ')}}`;
  }
}
