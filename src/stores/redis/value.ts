// The value stored under a session's key: a fixed-width header, then the data as JSON.
//
//   v1:<createdAt, 11 digits>:<touchedAt, 11 digits>:<JSON>
//   v1:00001767225600:00001767225600:{"user":"alice"}
//
// Times are epoch seconds, zero-padded so that `touch` can overwrite touchedAt in place
// (SETRANGE) without reading or rewriting the data (security case Q-03).

/** Bytes before the JSON. */
export const headerLength = 27;
/** Where touchedAt starts. */
export const touchedAtOffset = 15;

/** An epoch-seconds time as the header's 11 digits. */
export function digits(seconds: number): string {
  return String(seconds).padStart(11, '0');
}

/** The value for `json` created at `createdAt` and touched at `touchedAt`. */
export function encodeValue(json: string, createdAt: number, touchedAt: number): string {
  return `v1:${digits(createdAt)}:${digits(touchedAt)}:${json}`;
}

/** A stored value taken apart; the JSON is not parsed yet. */
export interface DecodedValue {
  createdAt: number;
  touchedAt: number;
  json: string;
}

const header = /^v1:(\d{11}):(\d{11}):/;

/** The parts of a stored value, or undefined when it is not one of ours. */
export function decodeValue(value: string): DecodedValue | undefined {
  const match = header.exec(value);
  if (match === null) return undefined;
  return {
    createdAt: Number(match[1]),
    touchedAt: Number(match[2]),
    json: value.slice(headerLength),
  };
}

/**
 * Touch, in one round trip and only if the session is still there and alive: overwrites
 * touchedAt in place and sets the TTL to min(idle, what remains of the absolute timeout).
 * Never creates the key (GETRANGE of a missing key is empty) and never rewrites the data.
 *
 * KEYS[1] the session key; ARGV: now (s), idle (s), absolute (s), now as 11 digits.
 * Returns 1 when touched, 0 when the session is gone.
 */
export const touchScript = `local head = redis.call('GETRANGE', KEYS[1], 0, ${headerLength - 1})
if string.len(head) ~= ${headerLength} or string.sub(head, 1, 3) ~= 'v1:' then return 0 end
local created = tonumber(string.sub(head, 4, 14))
local touched = tonumber(string.sub(head, 16, 26))
local now, idle, absolute = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if created == nil or touched == nil or now - touched >= idle or now - created >= absolute then return 0 end
redis.call('SETRANGE', KEYS[1], ${touchedAtOffset}, ARGV[4])
redis.call('EXPIRE', KEYS[1], math.min(idle, created + absolute - now))
return 1`;

/**
 * A conditional write, in one round trip: replaces the session only if its data is still the
 * data whose SHA-1 the caller read (no other write landed since), with a new TTL. When another
 * write landed first, it answers the value that write stored, so that the caller can try again
 * at once without reading.
 *
 * KEYS[1] the session key; ARGV: SHA-1 (hex) of the JSON read, the new value, the TTL (s).
 * Returns 1 when written, 0 when the session is gone, the stored value when its data changed.
 */
export const writeIfScript = `local value = redis.call('GET', KEYS[1])
if not value then return 0 end
if redis.sha1hex(string.sub(value, ${headerLength + 1})) ~= ARGV[1] then return value end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;
