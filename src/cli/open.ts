// `sessionkit open <value>`: what the application's stores make of a cookie value, in words
// (or JSON). The stores do the opening (inspectorFromEnv); this file only says it. It never
// prints a secret: only the variables' names and the secrets' public key ids.
import { SessionkitError } from '../core/errors.ts';
import { inspectorFromEnv } from '../config/inspect-env.ts';
import type { EnvInspector, EnvOpening } from '../config/inspect-env.ts';
import { ednToJson } from '../stores/ring/edn-json.ts';
import type { CliIo } from './io.ts';

/** A report: the same facts for the human and the JSON output. */
interface Report {
  /** True when a request would read the session now. */
  valid: boolean;
  fields: Record<string, unknown>;
  lines: string[];
}

/** Runs `open`; resolves to the exit status (0 valid, 1 not, 2 usage or configuration). */
export async function openCommand(args: readonly string[], io: CliIo): Promise<number> {
  const json = args.includes('--json');
  const values = args.filter((arg) => arg !== '--json');
  if (values.length !== 1 || (values[0]!.startsWith('-') && values[0] !== '-')) {
    io.stderr('usage: sessionkit open [--json] <cookie value | name=value | ->\n');
    return 2;
  }
  const value = values[0] === '-' ? (await io.stdin()).trim() : values[0]!;
  let inspector: EnvInspector;
  try {
    inspector = inspectorFromEnv(io.env);
  } catch (error) {
    if (!(error instanceof SessionkitError)) throw error;
    io.stderr(`sessionkit open: ${error.message.replace(/^sessionkit( open)?: /, '')}\n`);
    return 2;
  }
  for (const note of inspector.notes) io.stderr(`sessionkit open: ${note}\n`);
  const report = describe(inspector.inspect(value), inspector, io.env, io.now());
  io.stdout(json ? `${JSON.stringify(report.fields, null, 2)}\n` : `${report.lines.join('\n')}\n`);
  return report.valid ? 0 : 1;
}

function describe(
  opening: EnvOpening,
  inspector: EnvInspector,
  env: CliIo['env'],
  nowMs: number,
): Report {
  const now = nowMs / 1000;
  if (!opening.inspection.opened) {
    const reason = opening.inspection.reason;
    const message = whyNot(opening, inspector, env);
    return {
      valid: false,
      fields: {
        opens: false,
        format: opening.format,
        reason,
        message,
        ...(opening.format === 'sessionkit' && opening.inspection.opened === false
          ? { keyId: opening.inspection.keyId }
          : {}),
      },
      lines: [`does not open: ${message}`],
    };
  }
  const i = opening.inspection;
  const expiresAt = Math.min(i.idleDeadline, i.absoluteDeadline);
  const data = opening.format === 'ring' ? ednToJson(opening.inspection.data) : i.data;
  const sessionkit = opening.format === 'sessionkit' ? opening.inspection : undefined;
  const bare = opening.format === 'ring' && opening.inspection.bare;
  const how =
    sessionkit === undefined
      ? `opened with ${opening.key}`
      : `opened with ${opening.key} (key id ${sessionkit.keyId ?? 'of format v1'}), format v${sessionkit.format}${sessionkit.format === 1 || sessionkit.keyIndex > 0 || sessionkit.legacyId ? ': a request re-seals it with COOKIE_SECRET, in the current format' : ''}`;
  const lines = [
    how,
    `state:       ${stateText(i.state, env)}`,
    ...(sessionkit === undefined
      ? []
      : [
          `session id:  ${sessionkit.id}${sessionkit.legacyId ? ' (sealed before sessions carried an id: derived from the value, kept when it is re-sealed)' : ''}`,
          `subject:     ${sessionkit.subject ?? '(none)'}`,
        ]),
    ...(bare
      ? ['times:       none (sealed by Kit): a request takes it as a session that starts now']
      : [
          `created:     ${when(i.createdAt, now)}`,
          `last active: ${when(i.activeAt, now)}`,
          `expires:     ${when(expiresAt, now)}, ${
            i.idleDeadline <= i.absoluteDeadline
              ? `without a request for SESSION_IDLE_TIMEOUT; at the latest ${when(i.absoluteDeadline, now)} (SESSION_ABSOLUTE_TIMEOUT)`
              : 'at the absolute timeout (SESSION_ABSOLUTE_TIMEOUT)'
          }`,
        ]),
    ...(sessionkit === undefined
      ? []
      : ['revocation:  not checked here (the running servers keep the revocation list)']),
    'data:',
    JSON.stringify(data, null, 2),
  ];
  return {
    valid: i.state === 'valid',
    fields: {
      opens: true,
      format: opening.format,
      ...(sessionkit === undefined
        ? { key: opening.key, bare }
        : {
            version: sessionkit.format,
            key: opening.key,
            keyId: sessionkit.keyId ?? null,
            id: sessionkit.id,
            legacyId: sessionkit.legacyId,
            subject: sessionkit.subject ?? null,
          }),
      state: i.state,
      createdAt: iso(i.createdAt),
      activeAt: iso(i.activeAt),
      expiresAt: iso(expiresAt),
      idleDeadline: iso(i.idleDeadline),
      absoluteDeadline: iso(i.absoluteDeadline),
      data,
    },
    lines,
  };
}

function stateText(state: string, env: CliIo['env']): string {
  switch (state) {
    case 'valid':
      return 'valid: a request would read this session';
    case 'idle-expired':
      return `expired: no request for SESSION_IDLE_TIMEOUT (${env.SESSION_IDLE_TIMEOUT ?? '86400'} s); a request reads no session`;
    case 'absolute-expired':
      return `expired: older than SESSION_ABSOLUTE_TIMEOUT (${env.SESSION_ABSOLUTE_TIMEOUT ?? '604800'} s); a request reads no session`;
    case 'from-the-future':
      return "not valid: its times are more than 60 s ahead of this machine's clock (clocks out of sync?)";
    default:
      return state;
  }
}

/** Why the value does not open, in words that name the variables to check. */
function whyNot(opening: EnvOpening, inspector: EnvInspector, env: CliIo['env']): string {
  const keys = inspector.keys.map((k) => `${k.variable}: ${k.keyId}`).join(', ');
  if (opening.format === 'ring') {
    if (opening.inspection.opened) return '';
    switch (opening.inspection.reason) {
      case 'malformed':
        return "it is neither sessionkit's format (v2.…) nor Ring's (base64--base64)";
      case 'tampered':
        return `its MAC does not match under ${opening.key}: it was changed, or sealed with another key`;
      case 'bad-padding':
        return 'its MAC matches but it does not decrypt: made with the key, but not by Ring';
      case 'too-long':
        return 'it is longer than a cookie can be';
      case 'not-a-session':
        return 'it opens, but holds no EDN map (no session)';
    }
  }
  if (opening.inspection.opened) return '';
  const { reason, keyId } = opening.inspection;
  switch (reason) {
    case 'too-long':
      return 'it is longer than a cookie can be (4096 bytes)';
    case 'unknown-format':
      return `it is not a sessionkit cookie value (those start with v2.)${env.RING_COOKIE_SECRET === undefined ? '; a Kit (Ring) cookie opens with RING_COOKIE_SECRET or SESSION_STORE=ring' : ''}`;
    case 'unknown-key':
      return `it was sealed under key id ${keyId ?? '?'}, which none of the configured secrets has (${keys}): another secret sealed it, or another SESSION_AUDIENCE (${env.SESSION_AUDIENCE?.trim() || 'none here'})`;
    case 'malformed':
      return 'it is cut short or re-encoded (not the canonical base64url the server writes)';
    case 'tampered':
      return `it does not authenticate under the secret with key id ${keyId ?? '?'}: it was changed, or sealed for another cookie name than ${inspector.cookieName} (COOKIE_NAME)`;
    case 'v1-refused':
      return 'it is of format v1 (sessionkit 0.1), which opens only under secrets that are key material, and none of the configured secrets is';
    case 'v1-unopened':
      return `it is of format v1 (sessionkit 0.1) and none of the configured secrets opens it (${keys}): another secret sealed it, or it was changed`;
    case 'not-a-session':
      return 'it opens, but holds no session (not the payload sessionkit writes)';
  }
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** An epoch-seconds time, and how far it is from `now`. */
function when(seconds: number, now: number): string {
  const delta = seconds - now;
  const span = duration(Math.abs(delta));
  return `${iso(seconds)} (${delta > 0 ? `in ${span}` : `${span} ago`})`;
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}
