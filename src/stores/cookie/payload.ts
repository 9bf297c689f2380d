// What a cookie-store value holds once opened: JSON with the session's times, its id, its
// subject and its data.
//
//   {"c":<created, epoch s>,"a":<last active, epoch s>,"i":"<session id>","s":"<subject>","d":{…}}
//
// `s` only when the session has a subject. Values sealed before ids existed have no `i`:
// they read with an id derived from the value (see `legacySessionId`) and are re-sealed
// with it. Ids and subjects: docs/decisions/0020-revocation.md.
import { createHash } from 'node:crypto';
import type { SessionData } from '../../core/types.ts';
import { legacySessionId, sessionIdPattern } from '../../session/session-id.ts';
import { maxSubjectLength } from '../../session/revocations.ts';
import { parseSessionJson } from '../../session/session-json.ts';

/** The payload's fields besides the data, parsed. */
export interface Header {
  /** Created, epoch seconds. */
  readonly createdAt: number;
  /** Last active, epoch seconds. */
  readonly activeAt: number;
  readonly id: string;
  readonly subject: string | undefined;
  /** The value had no id: `id` was derived from it, and it must be re-sealed with that id. */
  readonly legacyId: boolean;
}

/** A payload parsed: its header and its data (a fresh object on every parse). */
export interface Payload extends Header {
  readonly data: SessionData;
}

/**
 * The plaintext to seal, around `json`, the data as `stringifySession` gives it (which checks
 * it: C-14), and which the cache keeps apart (see {@link dataTextOf}).
 */
export function stringifyPayload(
  createdAt: number,
  activeAt: number,
  id: string,
  subject: string | undefined,
  json: string,
): string {
  return `${payloadHead(createdAt, activeAt, id, subject)}${json}}`;
}

/** What {@link stringifyPayload} writes before the data: `{"c":…,"a":…,"i":"…",["s":…,]"d":`. */
function payloadHead(
  createdAt: number,
  activeAt: number,
  id: string,
  subject: string | undefined,
): string {
  const s = subject === undefined ? '' : `,"s":${JSON.stringify(subject)}`;
  return `{"c":${createdAt},"a":${activeAt},"i":"${id}"${s},"d":`;
}

/**
 * The data's JSON within a payload whose `header` was parsed from it, when it is laid out
 * exactly as {@link stringifyPayload} writes that header; otherwise undefined. It then parses
 * (with {@link parseData}) to the payload's data, or fails to parse (an authentic payload
 * written otherwise, with members after the data), never to other data.
 */
export function dataTextOf(plaintext: string, header: Header): string | undefined {
  if (header.legacyId) return undefined;
  const head = payloadHead(header.createdAt, header.activeAt, header.id, header.subject);
  return plaintext.length > head.length + 1 && plaintext.startsWith(head) && plaintext.endsWith('}')
    ? plaintext.slice(head.length, -1)
    : undefined;
}

/** Session data from {@link dataTextOf}'s text, or undefined when it is no session data. */
export function parseData(text: string): SessionData | undefined {
  let data: unknown;
  try {
    data = parseSessionJson(text); // drops __proto__, constructor, prototype (C-13)
  } catch {
    return undefined;
  }
  return typeof data === 'object' && data !== null && !Array.isArray(data)
    ? (data as SessionData)
    : undefined;
}

/**
 * The payload of an authentic `plaintext`, or undefined when it is not one of ours (bad
 * JSON, missing or mistyped fields). `sealed` is the value it came from, for a legacy id.
 */
export function parsePayload(plaintext: string, sealed: string): Payload | undefined {
  let payload: unknown;
  try {
    payload = parseSessionJson(plaintext); // drops __proto__, constructor, prototype (C-13)
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { c, a, i, s, d } = payload as Record<string, unknown>;
  if (typeof c !== 'number' || typeof a !== 'number' || !Number.isFinite(c + a)) return undefined;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return undefined;
  if (s !== undefined && (typeof s !== 'string' || s === '' || s.length > maxSubjectLength)) {
    return undefined;
  }
  let id: string;
  let legacyId = false;
  if (i === undefined) {
    legacyId = true;
    id = legacySessionId(c * 1000, createHash('sha256').update(sealed).digest());
  } else if (typeof i === 'string' && sessionIdPattern.test(i)) {
    id = i;
  } else {
    return undefined;
  }
  return { createdAt: c, activeAt: a, id, subject: s, legacyId, data: d as SessionData };
}
