import { SessionkitError } from '../core/errors.ts';
import { MAX_JSON_DEPTH } from '../core/limits.ts';
import type { SessionData } from '../core/types.ts';

/**
 * Serializes session data to JSON, refusing what JSON would silently change: functions,
 * symbols, BigInt, non-finite numbers, Dates, Maps, Sets, class instances, cycles,
 * `undefined` in an array (JSON would make it `null`), and nesting deeper than
 * {@link MAX_JSON_DEPTH} levels. A property whose value is `undefined` is dropped, as
 * `JSON.stringify` drops it (security case C-14: what is accepted reads back equal, without
 * that property). The check walks the data with a stack of its own, so no depth of nesting
 * can overflow the call stack.
 */
export function stringifySession(data: SessionData): string {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw unserializable(
      '',
      Array.isArray(data) ? 'an array' : describeType(data),
      'a plain object',
    );
  }
  check(data);
  return JSON.stringify(data);
}

/** An array or object being checked: its entries are visited one by one. */
interface Frame {
  readonly value: Record<string, unknown> | unknown[];
  /** The object's own keys, or undefined for an array. */
  readonly keys: readonly string[] | undefined;
  index: number;
  readonly parent: Frame | undefined;
  /** Where this value sits in its parent, for the error's path. */
  readonly at: string | number;
}

function check(data: SessionData): void {
  // The containers from the root to the one being visited: a cycle is a value found among them.
  const open = new Set<object>([data]);
  let depth = 1;
  let top: Frame | undefined = {
    value: data,
    keys: Object.keys(data),
    index: 0,
    parent: undefined,
    at: '',
  };
  while (top !== undefined) {
    const { value, keys } = top;
    if (top.index === (keys === undefined ? (value as unknown[]).length : keys.length)) {
      open.delete(value);
      depth--;
      top = top.parent;
      continue;
    }
    const at = keys === undefined ? top.index : keys[top.index]!;
    top.index++;
    const child = (value as Record<string | number, unknown>)[at];
    switch (typeof child) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (Number.isFinite(child)) continue;
        throw unserializable(pathOf(top, at), 'a non-finite number');
      case 'object': {
        if (child === null) continue;
        if (open.has(child)) throw unserializable(pathOf(top, at), 'a cycle');
        if (depth === MAX_JSON_DEPTH) {
          throw unserializable(pathOf(top, at), `nested deeper than ${MAX_JSON_DEPTH} levels`);
        }
        let childKeys: string[] | undefined;
        if (!Array.isArray(child)) {
          const proto: unknown = Object.getPrototypeOf(child);
          if (proto !== Object.prototype && proto !== null) {
            const name = (child as { constructor?: { name?: string } }).constructor?.name;
            throw unserializable(pathOf(top, at), `an instance of ${name ?? 'a class'}`);
          }
          childKeys = Object.keys(child);
        }
        open.add(child);
        depth++;
        top = { value: child as Frame['value'], keys: childKeys, index: 0, parent: top, at };
        continue;
      }
      case 'undefined':
        // Dropped, as JSON.stringify drops it: `{ ...session, returnTo: undefined }` removes a
        // key. In an array JSON would make it null, so it is refused there.
        if (keys !== undefined) continue;
        throw unserializable(pathOf(top, at), 'undefined');
      default:
        throw unserializable(pathOf(top, at), `a ${typeof child}`);
    }
  }
}

/** `a.b[2].c`: the path of entry `at` of `frame`, built only for an error message. */
function pathOf(frame: Frame, at: string | number): string {
  const parts: Array<string | number> = [at];
  for (let f: Frame | undefined = frame; f?.parent !== undefined; f = f.parent) parts.push(f.at);
  let path = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i]!;
    path = typeof part === 'number' ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`;
  }
  return path;
}

function unserializable(path: string, what: string, expected?: string): SessionkitError {
  return new SessionkitError(
    'unserializable_session',
    expected === undefined
      ? `session data at ${path || 'the top level'} is ${what}, which JSON cannot represent; store plain objects, arrays, strings, finite numbers, booleans and null`
      : `session data is ${what}, expected ${expected}`,
  );
}

function describeType(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

const dangerous = /"(?:__proto__|constructor|prototype)"\s*:/;

/**
 * Parses JSON from a trusted source (an authenticated seal or a store) and removes the keys
 * `__proto__`, `constructor` and `prototype` wherever they appear, so that the data can never
 * be used to pollute a prototype later (security case C-13). Costs a plain `JSON.parse` when
 * the text contains none of them.
 */
export function parseSessionJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return dangerous.test(text) ? scrub(value) : value;
}

/** Deletes the dangerous keys in place, with a stack of its own (any depth of nesting). */
function scrub(root: unknown): unknown {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) pending.push(item);
      continue;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') delete record[key];
      else pending.push(record[key]);
    }
  }
  return root;
}
