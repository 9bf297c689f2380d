import { stringifyEdn } from './edn-write.ts';
import {
  EdnChar,
  EdnDecimal,
  EdnInst,
  EdnKeyword,
  EdnRatio,
  EdnSymbol,
  EdnUuid,
} from './edn-values.ts';

/**
 * Converts what {@link parseEdn} gives into plain JSON data, for a session that moves from
 * Ring's format to a JSON store (migration). One way, and lossy where JSON has no equivalent:
 *
 * | EDN | JSON |
 * | --- | --- |
 * | keyword, symbol (`:admin`, `a.b/c`) | its name without the colon (`'admin'`, `'a.b/c'`) |
 * | character (`\x`) | a one-character string |
 * | integer beyond 2^53, ratio, `M` decimal | its decimal text (`'9223372036854775807'`, `'1/3'`, `'1.50'`) |
 * | `##Inf`, `##-Inf`, `##NaN` | `null` |
 * | `-0.0` | `0` |
 * | `#inst`, `#uuid` | its text (`'2023-11-14T22:13:20.123-00:00'`, `'0f8fad5b-…'`) |
 * | set | array |
 * | map with other keys | object; a string key as itself, a keyword by its name, any other key by its EDN text (`'42'`, `'[1 2]'`, `'nil'`); on a clash the later entry wins |
 *
 * The keys `__proto__`, `constructor` and `prototype` are dropped (security case C-13).
 *
 * @example
 * ednToJson(parseEdn('{:role :admin, :id #uuid "0f8fad5b-d9cb-469f-a165-70867728950e"}'))
 * // → { role: 'admin', id: '0f8fad5b-d9cb-469f-a165-70867728950e' }
 */
export function ednToJson(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value + 0 : null;
    case 'bigint': {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value.toString();
    }
    case 'object':
      if (value === null) return null;
      break;
    default:
      return value;
  }
  if (Array.isArray(value)) return value.map(ednToJson);
  if (value instanceof Set) return [...(value as Set<unknown>)].map(ednToJson);
  if (value instanceof EdnKeyword || value instanceof EdnSymbol) return value.text;
  if (value instanceof EdnChar) return value.char;
  if (value instanceof EdnRatio || value instanceof EdnDecimal) return value.toString();
  if (value instanceof EdnInst || value instanceof EdnUuid) return value.text;
  const out: Record<string, unknown> = {};
  const entries =
    value instanceof Map
      ? [...(value as Map<unknown, unknown>)]
      : Object.entries(value as Record<string, unknown>);
  for (const [key, item] of entries) {
    const name =
      typeof key === 'string'
        ? key
        : key instanceof EdnKeyword
          ? key.text
          : stringifyEdn(key, { maxDepth: Infinity });
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') continue;
    out[name] = ednToJson(item);
  }
  return out;
}
