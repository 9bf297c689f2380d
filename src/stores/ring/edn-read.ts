// The EDN reader: what `clojure.edn/read-string` reads in a Kit session, with no reader
// functions beyond `#inst` and `#uuid`, mapped to TypeScript values
// (docs/decisions/0011-edn-mapping.md). Bounded in input length and nesting depth, linear in time.
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
import type { EdnValue } from './edn-values.ts';
import { ednKey, stringifyEdn } from './edn-write.ts';

/** Options of {@link parseEdn}. */
export interface EdnReadOptions {
  /**
   * Deeper nesting of collections and tags is refused.
   * @default 64
   */
  maxDepth?: number | undefined;
  /**
   * Longer text is refused before it is read.
   * @default 100000 (characters)
   */
  maxLength?: number | undefined;
}

/** The limits of {@link parseEdn}, kept as data. */
export const ednReadDefaults = Object.freeze({ maxDepth: 64, maxLength: 100_000 });

/**
 * Reads the first EDN form of `text`, as `clojure.edn/read-string` does (what follows it is
 * ignored; empty text reads as `null`, like `nil`), into the mapping the README lists under
 * "EDN values": maps with keyword keys → plain objects keyed by the keyword without its colon
 * (`:a.b/c` → `'a.b/c'`), other maps → `Map`, vectors and lists → arrays,
 * sets → `Set`, integers → numbers when safe and `bigint` beyond (and for `N`), doubles →
 * numbers, other values → the `Edn*` classes.
 *
 * Refuses, with a `SessionkitError` of code `invalid_edn` (the message says why, never
 * quoting the text): a syntax error, a tag other than `#inst` and `#uuid` (tags are never
 * evaluated), a duplicate map key or set element, nesting deeper than `maxDepth`, text longer
 * than `maxLength`. The keys `__proto__`, `constructor` and `prototype` are dropped from
 * plain objects (security case C-13).
 *
 * @example
 * parseEdn('{:user "alice", :roles #{:admin}}')
 * // → { user: 'alice', roles: Set { EdnKeyword { text: 'admin' } } }
 */
export function parseEdn(text: string, options: EdnReadOptions = {}): EdnValue {
  const maxLength = options.maxLength ?? ednReadDefaults.maxLength;
  if (typeof text !== 'string') throw invalid('expected a string');
  if (text.length > maxLength) throw invalid(`longer than ${maxLength} characters`);
  const reader = new Reader(text, options.maxDepth ?? ednReadDefaults.maxDepth);
  for (;;) {
    const form = reader.form(0, true);
    if (form !== discarded) return form;
  }
}

function invalid(why: string): SessionkitError {
  return new SessionkitError('invalid_edn', `parseEdn: the text is not readable EDN: ${why}`);
}

/** What `#_` leaves: nothing, which collections skip. */
const discarded = Symbol('discarded');
type Form = EdnValue | typeof discarded;

/** `Character.isWhitespace` plus the comma, which EDN reads as whitespace. */
function isWhitespace(code: number): boolean {
  return (
    code === 0x20 ||
    code === 0x2c ||
    (code >= 0x09 && code <= 0x0d) ||
    (code >= 0x1c && code <= 0x1f) ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x2006) ||
    (code >= 0x2008 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Characters that end a token: EdnReader's terminating macros. */
const terminators = new Set(['"', ';', '^', '(', ')', '[', ']', '{', '}', '\\']);

const closing: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

const namedChars: Record<string, string> = {
  newline: '\n',
  space: ' ',
  tab: '\t',
  backspace: '\b',
  formfeed: '\f',
  return: '\r',
};

const stringEscapes: Record<string, string> = {
  t: '\t',
  r: '\r',
  n: '\n',
  '\\': '\\',
  '"': '"',
  b: '\b',
  f: '\f',
};

const intPattern =
  /^([-+]?)(?:(0)|([1-9]\d*)|0[xX]([0-9A-Fa-f]+)|0([0-7]+)|([1-9]\d?)[rR]([0-9A-Za-z]+)|0\d+)(N)?$/;
const floatPattern = /^([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)(M)?$/;
const ratioPattern = /^([-+]?\d+)\/(\d+)$/;

/** An integer as the mapping gives it: a number when safe, else a `bigint`. */
function integer(value: bigint, big: boolean): number | bigint {
  if (big) return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

function parseRadix(digits: string, radix: number): bigint | undefined {
  let value = 0n;
  const base = BigInt(radix);
  for (const ch of digits.toLowerCase()) {
    const digit = parseInt(ch, 36);
    if (Number.isNaN(digit) || digit >= radix) return undefined;
    value = value * base + BigInt(digit);
  }
  return value;
}

function parseNumber(token: string): EdnValue {
  let m = intPattern.exec(token);
  if (m !== null) {
    let value: bigint | undefined;
    if (m[2] !== undefined) value = 0n;
    else if (m[3] !== undefined) value = BigInt(m[3]);
    else if (m[4] !== undefined) value = BigInt(`0x${m[4]}`);
    else if (m[5] !== undefined) value = BigInt(`0o${m[5]}`);
    else if (m[6] !== undefined) {
      const radix = Number(m[6]);
      value = radix >= 2 && radix <= 36 ? parseRadix(m[7]!, radix) : undefined;
    }
    if (value === undefined) throw invalid('an invalid number');
    return integer(m[1] === '-' ? -value : value, m[8] !== undefined);
  }
  m = floatPattern.exec(token);
  if (m !== null) {
    if (m[2] !== undefined) return new EdnDecimal(m[1]!.replace(/^\+/, ''));
    return Number(m[1]);
  }
  m = ratioPattern.exec(token);
  if (m !== null) {
    const numerator = BigInt(m[1]!);
    const denominator = BigInt(m[2]!);
    if (denominator === 0n) throw invalid('a ratio with a zero denominator');
    if (numerator % denominator === 0n) return integer(numerator / denominator, false);
    return new EdnRatio(numerator, denominator);
  }
  throw invalid('an invalid number');
}

class Reader {
  #pos = 0;
  readonly #text: string;
  readonly #maxDepth: number;

  constructor(text: string, maxDepth: number) {
    this.#text = text;
    this.#maxDepth = maxDepth;
  }

  /** Skips whitespace, commas and `;` comments; the next character, or undefined at the end. */
  #peek(): string | undefined {
    const text = this.#text;
    while (this.#pos < text.length) {
      const code = text.charCodeAt(this.#pos);
      if (isWhitespace(code)) this.#pos++;
      else if (code === 0x3b) {
        const end = text.indexOf('\n', this.#pos);
        this.#pos = end === -1 ? text.length : end + 1;
      } else return text[this.#pos];
    }
    return undefined;
  }

  /** The token starting at the current position: up to whitespace or a terminating macro. */
  #token(): string {
    const text = this.#text;
    const start = this.#pos;
    while (
      this.#pos < text.length &&
      !isWhitespace(text.charCodeAt(this.#pos)) &&
      !terminators.has(text[this.#pos]!)
    ) {
      this.#pos++;
    }
    return text.slice(start, this.#pos);
  }

  /** One form; at the end of the text, `nil` at the top level and an error inside a form. */
  form(depth: number, top = false): Form {
    if (depth > this.#maxDepth) throw invalid(`nested deeper than ${this.#maxDepth}`);
    const ch = this.#peek();
    if (ch === undefined) {
      if (top) return null;
      throw invalid('the text ends inside a form');
    }
    switch (ch) {
      case '"':
        this.#pos++;
        return this.#string();
      case ':':
        return this.#keyword(this.#token());
      case '\\':
        return this.#char();
      case '(':
      case '[':
        this.#pos++;
        return this.#sequence(closing[ch]!, depth + 1);
      case '{':
        this.#pos++;
        return this.#map(depth + 1, undefined);
      case ')':
      case ']':
      case '}':
        throw invalid(`an unmatched ${ch}`);
      case '#':
        this.#pos++;
        return this.#dispatch(depth + 1);
      case '^':
        throw invalid('metadata');
      default:
        return this.#atom(this.#token());
    }
  }

  /** The next form that is not `#_`-discarded (`#_ #_ a b` discards both). */
  #value(depth: number): EdnValue {
    for (;;) {
      const form = this.form(depth);
      if (form !== discarded) return form;
    }
  }

  #string(): string {
    const text = this.#text;
    let out = '';
    let start = this.#pos;
    for (;;) {
      const next = text.slice(start).search(/["\\]/);
      if (next === -1) throw invalid('a string without its closing quote');
      const at = start + next;
      out += text.slice(start, at);
      if (text[at] === '"') {
        this.#pos = at + 1;
        return out;
      }
      const escape = text[at + 1];
      if (escape === undefined) throw invalid('a string without its closing quote');
      if (escape in stringEscapes) {
        out += stringEscapes[escape];
        start = at + 2;
      } else if (escape === 'u') {
        const hex = text.slice(at + 2, at + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw invalid('an invalid \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        start = at + 6;
      } else if (escape >= '0' && escape <= '7') {
        const octal = /^[0-7]{1,3}/.exec(text.slice(at + 1, at + 4))![0];
        const code = parseInt(octal, 8);
        if (code > 0o377) throw invalid('an octal escape above \\377');
        out += String.fromCharCode(code);
        start = at + 1 + octal.length;
      } else {
        throw invalid('an unsupported string escape');
      }
    }
  }

  #keyword(token: string): EdnKeyword {
    const name = token.slice(1);
    if (!isEdnName(name)) throw invalid('an invalid keyword');
    return new EdnKeyword(name);
  }

  #char(): EdnChar {
    const first = this.#text[this.#pos + 1];
    if (first === undefined) throw invalid('a backslash at the end');
    this.#pos += 2;
    const token = first + this.#token();
    if (token.length === 1) {
      const code = token.charCodeAt(0);
      if (code >= 0xd800 && code <= 0xdfff) throw invalid('an invalid character');
      return new EdnChar(token);
    }
    const named = namedChars[token];
    if (named !== undefined) return new EdnChar(named);
    let code = -1;
    if (/^u[0-9A-Fa-f]{4}$/.test(token)) code = parseInt(token.slice(1), 16);
    else if (/^o[0-7]{1,3}$/.test(token)) code = parseInt(token.slice(1), 8);
    if (
      code < 0 ||
      code > 0xffff ||
      (code >= 0xd800 && code <= 0xdfff) ||
      (token[0] === 'o' && code > 0o377)
    ) {
      throw invalid('an unsupported character');
    }
    return new EdnChar(String.fromCharCode(code));
  }

  #atom(token: string): EdnValue {
    const first = token.charCodeAt(0);
    const second = token.charCodeAt(1);
    const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
    if (isDigit(first) || ((token[0] === '+' || token[0] === '-') && isDigit(second))) {
      return parseNumber(token);
    }
    if (token === 'nil') return null;
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (token === '/' || isEdnName(token)) return new EdnSymbol(token);
    throw invalid(
      token === '' ? `an unexpected ${this.#text[this.#pos] ?? 'end'}` : 'an invalid symbol',
    );
  }

  /** The forms up to `close`, `#_` forms left out; `depth` counts this collection. */
  #forms(close: string, depth: number): EdnValue[] {
    if (depth > this.#maxDepth) throw invalid(`nested deeper than ${this.#maxDepth}`);
    const items: EdnValue[] = [];
    for (;;) {
      const ch = this.#peek();
      if (ch === undefined) throw invalid(`the text ends before ${close}`);
      if (ch === close) {
        this.#pos++;
        return items;
      }
      const form = this.form(depth);
      if (form !== discarded) items.push(form);
    }
  }

  #sequence(close: string, depth: number): EdnValue[] {
    return this.#forms(close, depth);
  }

  /** A map; `namespace` is the `#:ns{…}` prefix given to its unqualified keyword keys. */
  #map(depth: number, namespace: string | undefined): EdnValue {
    const forms = this.#forms('}', depth);
    if (forms.length % 2 !== 0) throw invalid('a map with an odd number of forms');
    const entries: [EdnValue, EdnValue][] = [];
    let keywordsOnly = true;
    const seen = new Set<string>();
    for (let i = 0; i < forms.length; i += 2) {
      let key = forms[i]!;
      if (namespace !== undefined && (key instanceof EdnKeyword || key instanceof EdnSymbol)) {
        const qualified = key.text.startsWith('_/')
          ? key.text.slice(2)
          : key.text.includes('/')
            ? key.text
            : `${namespace}/${key.text}`;
        key = key instanceof EdnKeyword ? new EdnKeyword(qualified) : new EdnSymbol(qualified);
      }
      const id = ednKey(key);
      if (seen.has(id)) throw invalid('a duplicate map key');
      seen.add(id);
      if (!(key instanceof EdnKeyword)) keywordsOnly = false;
      entries.push([key, forms[i + 1]!]);
    }
    if (!keywordsOnly) return new Map(entries);
    const object: Record<string, EdnValue> = {};
    for (const [key, value] of entries) {
      const name = (key as EdnKeyword).text;
      // C-13: never a key that could reach a prototype.
      if (name === '__proto__' || name === 'constructor' || name === 'prototype') continue;
      object[name] = value;
    }
    return object;
  }

  #dispatch(depth: number): Form {
    const ch = this.#text[this.#pos];
    switch (ch) {
      case '{': {
        this.#pos++;
        const items = this.#forms('}', depth);
        const seen = new Set<string>();
        for (const item of items) {
          const id = stringifyEdn(item, { maxDepth: Infinity });
          if (seen.has(id)) throw invalid('a duplicate set element');
          seen.add(id);
        }
        return new Set(items);
      }
      case '_':
        this.#pos++;
        this.#value(depth);
        return discarded;
      case '#': {
        this.#pos++;
        const token = this.#token();
        if (token === 'Inf') return Infinity;
        if (token === '-Inf') return -Infinity;
        if (token === 'NaN') return NaN;
        throw invalid('an unknown symbolic value');
      }
      case ':': {
        this.#pos++;
        const namespace = this.#token();
        if (!isEdnName(namespace) || namespace.includes('/'))
          throw invalid('an invalid map namespace');
        if (this.#peek() !== '{') throw invalid('a namespaced map without its map');
        this.#pos++;
        return this.#map(depth, namespace);
      }
      default: {
        const tag = this.#token();
        if (tag !== 'inst' && tag !== 'uuid') throw invalid('an unknown tag');
        const value = this.#value(depth);
        if (typeof value !== 'string') throw invalid(`#${tag} of something other than a string`);
        try {
          return tag === 'inst' ? new EdnInst(value) : new EdnUuid(value);
        } catch {
          throw invalid(`an invalid #${tag}`);
        }
      }
    }
  }
}
