import { SessionkitError } from '../core/errors.ts';
import type { SessionData } from '../core/types.ts';

/**
 * Serializes session data to JSON, refusing what JSON would silently change: functions,
 * symbols, BigInt, non-finite numbers, Dates, Maps, Sets, class instances, cycles, and
 * `undefined` in an array (JSON would make it `null`). A property whose value is `undefined`
 * is dropped, as `JSON.stringify` drops it (security case C-14: what is accepted reads back
 * equal, without that property).
 */
export function stringifySession(data: SessionData): string {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw unserializable(
      '',
      Array.isArray(data) ? 'an array' : describeType(data),
      'a plain object',
    );
  }
  check(data, '', new Set());
  return JSON.stringify(data);
}

function check(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (Number.isFinite(value)) return;
      throw unserializable(path, 'a non-finite number');
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) throw unserializable(path, 'a cycle');
      seen.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) check(value[i], `${path}[${i}]`, seen);
      } else {
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          throw unserializable(path, `an instance of ${value.constructor?.name ?? 'a class'}`);
        }
        for (const key in value) {
          const field = (value as Record<string, unknown>)[key];
          // Dropped, as JSON.stringify drops it: `{ ...session, returnTo: undefined }` removes a key.
          if (field !== undefined) check(field, path ? `${path}.${key}` : key, seen);
        }
      }
      seen.delete(value);
      return;
    }
    default:
      throw unserializable(path, typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`);
  }
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

function scrub(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = scrub(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') delete record[key];
    else record[key] = scrub(record[key]);
  }
  return record;
}
