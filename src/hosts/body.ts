import { MAX_JSON_DEPTH } from '../core/limits.ts';
import type { FormFields } from '../core/types.ts';

/**
 * A request body the host must refuse: 400 malformed, 413 too large or too many fields,
 * 415 an unsupported charset. Internal to the hosts, which map it to a response; never part
 * of the public API.
 */
export class BodyError extends Error {
  override name = 'BodyError';
  readonly status: 400 | 413 | 415;

  constructor(status: 400 | 413 | 415, message: string, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/** The generic body of a refusal, the same on every host. */
export function refusalText(status: BodyError['status']): string {
  return status === 413
    ? 'Payload Too Large'
    : status === 415
      ? 'Unsupported Media Type'
      : 'Bad Request';
}

/** The most fields an urlencoded body, or parts a multipart body, may have (413 beyond). */
export const maxFormFields = 1000;

/**
 * The largest header block of one multipart part, in bytes (400 beyond): a
 * `Content-Disposition` with a long file name fits many times over, as Node's 16 KiB limit
 * on a request's own headers does for them (security case Q-08).
 */
export const maxPartHeaderBytes = 16_384;

/** What a body parses to: `form` for form types, otherwise `body`. */
export interface ParsedBody {
  form?: FormFields | undefined;
  body?: unknown;
}

/**
 * Parses a fully buffered, already size-limited request body by its Content-Type (the media
 * type is matched case-insensitively; parameters other than `charset` and `boundary` are
 * ignored):
 *
 * - `application/x-www-form-urlencoded` → `form`, decoded as URLSearchParams does (`+` is a
 *   space; an invalid `%` escape is kept literally, not refused).
 * - `multipart/form-data; boundary=…` → `form` with the **text fields only**; parts with a
 *   `filename` (file uploads) are skipped. Parsed strictly (RFC 2046 §5.1.1, RFC 7578).
 * - `application/json` and any `…+json` type → `body`, the `JSON.parse` result. Keys such as
 *   `__proto__` become own properties, which cannot pollute a prototype as long as the value
 *   is never merged into another object (security case C-13). JSON nested deeper than
 *   `MAX_JSON_DEPTH` (100) levels is refused before it is parsed.
 * - anything else, or no Content-Type → `body`, the raw bytes.
 *
 * In `form`, an object with a null prototype, a repeated field becomes a `string[]` in order.
 * Text is decoded as UTF-8; a `charset` other than UTF-8 or US-ASCII on a form or JSON type
 * is refused with 415.
 *
 * @throws {BodyError} 400 for malformed JSON or multipart, JSON nested too deep, or a
 *   multipart part header block over {@link maxPartHeaderBytes}; 413 for more than
 *   {@link maxFormFields} fields or parts, 415 for an unsupported charset.
 */
export function parseBody(contentType: string | undefined, bytes: Buffer): ParsedBody {
  if (contentType === undefined) return { body: bytes };
  const semicolon = contentType.indexOf(';');
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon))
    .trim()
    .toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    checkCharset(contentType, semicolon);
    return { form: parseUrlencoded(bytes.toString('utf8')) };
  }
  if (type === 'application/json' || (type.endsWith('+json') && type.includes('/'))) {
    checkCharset(contentType, semicolon);
    return { body: parseJsonBody(bytes) };
  }
  if (type === 'multipart/form-data') {
    const boundary =
      semicolon === -1 ? undefined : parseParameters(contentType, semicolon)?.['boundary'];
    if (boundary === undefined) throw new BodyError(400, 'multipart body without a boundary');
    return { form: parseMultipart(bytes, boundary) };
  }
  return { body: bytes };
}

function checkCharset(contentType: string, semicolon: number): void {
  if (semicolon === -1) return;
  const charset = parseParameters(contentType, semicolon)?.['charset']?.toLowerCase();
  if (
    charset !== undefined &&
    charset !== 'utf-8' &&
    charset !== 'utf8' &&
    charset !== 'us-ascii'
  ) {
    throw new BodyError(415, 'unsupported charset: only UTF-8 bodies are parsed');
  }
}

function parseJsonBody(bytes: Buffer): unknown {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte order mark
  if (nestedDeeper(text, MAX_JSON_DEPTH)) {
    throw new BodyError(400, `JSON body nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BodyError(400, 'malformed JSON body', { cause: error });
  }
}

/**
 * Whether `text` opens more than `max` arrays and objects inside one another. One pass that
 * stops at the first level too deep, so that a megabyte of `[` costs microseconds instead of
 * the JSON.parse that builds half a million nested arrays. Strings are skipped in runs
 * with `indexOf`. Not a validator: malformed text is left to JSON.parse.
 */
function nestedDeeper(text: string, max: number): boolean {
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = closingQuote(text, i + 1);
      if (i === -1) return false;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * The index of the `"` that closes a string whose content starts at `from`, or -1: the next
 * quote preceded by an even run of backslashes. Each backslash is looked at once.
 */
function closingQuote(text: string, from: number): number {
  for (let quote = text.indexOf('"', from); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (quote - backslashes - 1 >= from && text.charCodeAt(quote - backslashes - 1) === 0x5c) {
      backslashes++;
    }
    if (backslashes % 2 === 0) return quote;
  }
  return -1;
}

function parseUrlencoded(text: string): FormFields {
  // Count before parsing so that a body of a million `&` costs a scan, not a million entries.
  let fields = 1;
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) {
    if (++fields > maxFormFields) throw tooManyFields();
  }
  const form: FormFields = Object.create(null) as FormFields;
  for (const [name, value] of new URLSearchParams(text)) addField(form, name, value);
  return form;
}

function addField(form: FormFields, name: string, value: string): void {
  const existing = form[name];
  if (existing === undefined) form[name] = value;
  else if (typeof existing === 'string') form[name] = [existing, value];
  else existing.push(value);
}

function tooManyFields(): BodyError {
  return new BodyError(413, `too many form fields: at most ${maxFormFields} are accepted`);
}

// RFC 2046 §5.1.1 allows 1 to 70 characters from a smaller set; any printable ASCII is
// accepted here, for clients that stray from it.
const boundaryPattern = /^[\x20-\x7e]{1,70}$/;

/**
 * RFC 2046 §5.1.1 on a buffered body: an optional preamble, then `--boundary` lines each
 * followed by a part (headers, an empty line, content) and a final `--boundary--`; the
 * delimiter is CRLF + `--boundary`, so a part's content ends just before that CRLF.
 */
function parseMultipart(bytes: Buffer, boundary: string): FormFields {
  if (!boundaryPattern.test(boundary)) throw malformed('invalid boundary');
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  let pos: number;
  const dashLength = delimiter.length - 2;
  if (
    bytes.length >= dashLength &&
    bytes.compare(delimiter, 2, delimiter.length, 0, dashLength) === 0
  ) {
    pos = dashLength; // the body starts with the first boundary: no preamble
  } else {
    const first = bytes.indexOf(delimiter);
    if (first === -1) throw malformed('no boundary found');
    pos = first + delimiter.length;
  }
  const form: FormFields = Object.create(null) as FormFields;
  let parts = 0;
  for (;;) {
    // `pos` is just past a `--boundary`: `--` closes the body (the epilogue is ignored),
    // otherwise optional transport padding and CRLF open the next part.
    if (bytes[pos] === 0x2d && bytes[pos + 1] === 0x2d) return form;
    while (bytes[pos] === 0x20 || bytes[pos] === 0x09) pos++;
    if (bytes[pos] !== 0x0d || bytes[pos + 1] !== 0x0a) throw malformed('bad boundary line');
    pos += 2;
    const end = bytes.indexOf(delimiter, pos);
    if (end === -1) throw malformed('no closing boundary');
    if (++parts > maxFormFields) throw tooManyFields();
    parsePart(bytes, pos, end, form);
    pos = end + delimiter.length;
  }
}

const headerEnd = Buffer.from('\r\n\r\n', 'latin1');

function parsePart(bytes: Buffer, start: number, end: number, form: FormFields): void {
  let headersEnd: number;
  let contentStart: number;
  if (bytes[start] === 0x0d && bytes[start + 1] === 0x0a && start + 2 <= end) {
    headersEnd = start; // no headers at all: the part opens with the empty line
    contentStart = start + 2;
  } else {
    // the header end is looked for in the first maxPartHeaderBytes bytes only.
    const window = bytes.subarray(start, Math.min(end, start + maxPartHeaderBytes + 4));
    const found = window.indexOf(headerEnd);
    if (found === -1) {
      throw malformed(
        end - start > maxPartHeaderBytes + 4
          ? `part header block over ${maxPartHeaderBytes} bytes`
          : 'part without a header end',
      );
    }
    headersEnd = start + found;
    contentStart = headersEnd + 4;
  }
  const disposition = findDisposition(bytes.toString('utf8', start, headersEnd));
  if (disposition === undefined) throw malformed('part without Content-Disposition');
  const semicolon = disposition.indexOf(';');
  const type = (semicolon === -1 ? disposition : disposition.slice(0, semicolon)).trim();
  const params = semicolon === -1 ? undefined : parseParameters(disposition, semicolon);
  const name = params?.['name'];
  if (type.toLowerCase() !== 'form-data' || name === undefined) {
    throw malformed('part without a form-data name');
  }
  // A file part: its content is not kept (FormFields holds strings only).
  if (params !== undefined && ('filename' in params || 'filename*' in params)) return;
  addField(form, name, bytes.toString('utf8', contentStart, end));
}

/** The value of the first Content-Disposition header of a part's header block. */
function findDisposition(block: string): string | undefined {
  let found: string | undefined;
  let current = false;
  for (const line of block.split('\r\n')) {
    if (line === '') continue;
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      // obs-fold (RFC 5322 §2.2.3): continues the previous header
      if (current && found !== undefined) found += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('bad part header');
    current =
      found === undefined && line.slice(0, colon).trim().toLowerCase() === 'content-disposition';
    if (current) found = line.slice(colon + 1).trim();
  }
  return found;
}

function malformed(what: string): BodyError {
  return new BodyError(400, `malformed multipart body: ${what}`);
}

const tokenPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Parses `; name=value` parameters (RFC 9110 §5.6.6, quoted strings with `\` escapes) from
 * `header` starting at the first `;`. Names are lower-cased; the first of duplicates wins.
 * Returns `undefined` when the parameters are malformed.
 */
function parseParameters(header: string, start: number): Record<string, string> | undefined {
  const params = Object.create(null) as Record<string, string>;
  let i = start;
  let backslash = -2; // not looked for yet
  const length = header.length;
  for (;;) {
    i = skipSpace(header, i);
    if (i >= length) return params;
    if (header.charCodeAt(i) !== 0x3b) return undefined; // ';'
    i = skipSpace(header, i + 1);
    if (i >= length) return params;
    const equals = header.indexOf('=', i);
    if (equals === -1) return undefined;
    const name = header.slice(i, equals).trimEnd().toLowerCase();
    if (!tokenPattern.test(name)) return undefined;
    i = skipSpace(header, equals + 1);
    let value: string;
    if (header.charCodeAt(i) === 0x22) {
      // quoted-string: runs between backslashes are copied whole, not char by char.
      value = '';
      let run = i + 1;
      for (;;) {
        const quote = header.indexOf('"', run);
        if (quote === -1) return undefined; // an unterminated quoted string
        // The next backslash, searched again only once passed: linear over many parameters.
        if (backslash !== -1 && backslash < run) backslash = header.indexOf('\\', run);
        if (backslash === -1 || backslash > quote) {
          value += header.slice(run, quote);
          i = quote + 1;
          break;
        }
        // quoted-pair: the backslash goes, the character after it stays as it is.
        value += header.slice(run, backslash) + header.charAt(backslash + 1);
        run = backslash + 2;
      }
    } else {
      let end = header.indexOf(';', i);
      if (end === -1) end = length;
      value = header.slice(i, end).trim();
      i = end;
    }
    if (!(name in params)) params[name] = value;
  }
}

function skipSpace(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 0x20 || c === 0x09) c = text.charCodeAt(++i);
  return i;
}
