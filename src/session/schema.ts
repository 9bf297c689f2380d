/**
 * Validating session data with the application's `schema` (any Standard Schema v1
 * validator): what a store gives is checked before the application sees it, what the
 * application writes before anything is stored.
 */
import { describe, invalidOption, SessionkitError } from '../core/errors.ts';
import type {
  StandardSchemaIssue,
  StandardSchemaProps,
  StandardSchemaResult,
  StandardSchemaV1,
} from '../core/standard-schema.ts';
import type { SessionData } from '../core/types.ts';

/**
 * The keys sessionkit's own middleware keep in the session: the flash (`wrapFlash`) and the
 * anti-forgery secret (`wrapCsrf`, in its own and in Ring's format). The schema describes the
 * application's data and never sees them; they are kept as stored.
 */
export const middlewareKeys: readonly string[] = [
  '_flash',
  '_csrf',
  'ring.middleware.anti-forgery/anti-forgery-token',
];

/**
 * Turns data that the schema refuses into a session it accepts, or gives `undefined` (no
 * session): for sessions written before the schema changed.
 */
export type SessionMigration = (
  data: SessionData,
  issues: readonly StandardSchemaIssue[],
) => SessionData | undefined | Promise<SessionData | undefined>;

/** A session schema ready to check data. */
export interface SessionCheck {
  /** The application's part of `data` checked: the schema's output with the middleware keys put back, or the issues. */
  read(data: SessionData): SessionData | readonly StandardSchemaIssue[];
  /** Throws `invalid_session` naming the paths the schema refuses; `what` names the caller. */
  write(data: SessionData, what: string): void;
  /** Whether the schema accepts `data`. */
  valid(data: SessionData): boolean;
  readonly migrate: SessionMigration | undefined;
}

/** Checks the `schema` and `migrate` options; undefined when there is no schema. */
export function sessionCheck(
  what: string,
  schema: unknown,
  migrate: unknown,
): SessionCheck | undefined {
  if (migrate !== undefined && typeof migrate !== 'function') {
    throw invalidOption(what, 'migrate', migrate, 'a function (data, issues) => data | undefined');
  }
  if (schema === undefined) {
    if (migrate !== undefined) {
      throw invalidOption(what, 'migrate', 'a function', 'none without a schema: set schema too');
    }
    return undefined;
  }
  const props: Partial<StandardSchemaProps> | undefined =
    typeof schema === 'object' || typeof schema === 'function'
      ? (schema as StandardSchemaV1 | null)?.['~standard']
      : undefined;
  if (props?.version !== 1 || typeof props.validate !== 'function') {
    throw invalidOption(
      what,
      'schema',
      schema,
      'a Standard Schema v1 validator (zod 3.24+, valibot 1, arktype 2 and others), such as z.object({ user: z.string().optional() })',
    );
  }
  const run = props.validate;
  const validate = (data: SessionData): StandardSchemaResult<unknown> => {
    const own = ownPart(data);
    const result = run(own);
    if (typeof (result as { then?: unknown }).then === 'function') {
      throw new SessionkitError(
        'invalid_option',
        `${what}: option schema is invalid: it validated asynchronously (an async refinement or transform), expected a schema that validates synchronously, as session checks run within each request's store operations`,
      );
    }
    // No application data yet (a visitor's CSRF secret, a logout's flash): a schema with
    // required fields describes a signed-in session, not this one, which stays as it is.
    if ((result as StandardSchemaResult<unknown>).issues !== undefined && isEmpty(own)) {
      return { value: {} };
    }
    return result as StandardSchemaResult<unknown>;
  };
  return {
    read(data) {
      const result = validate(data);
      if (result.issues !== undefined) return result.issues;
      const value = result.value;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return [{ message: `the schema gave ${describe(value)}, expected an object` }];
      }
      return withMiddlewareKeys(value as SessionData, data);
    },
    write(data, caller) {
      const result = validate(data);
      if (result.issues === undefined) return;
      throw new SessionkitError(
        'invalid_session',
        `${caller}: the session does not match the schema, at ${paths(result.issues)}; nothing was stored`,
      );
    },
    valid: (data) => validate(data).issues === undefined,
    migrate: migrate as SessionMigration | undefined,
  };
}

/** `data` without the middleware keys (the same object when it has none of them). */
export function ownPart(data: SessionData): SessionData {
  let own: SessionData | undefined;
  for (const key of middlewareKeys) {
    if (Object.hasOwn(data, key)) {
      own ??= { ...data };
      delete own[key];
    }
  }
  return own ?? data;
}

/** Whether `data` holds no value (a property set to `undefined` is not stored). */
function isEmpty(data: SessionData): boolean {
  for (const key in data) if (data[key] !== undefined) return false;
  return true;
}

/** `value` with the middleware keys of `data` as they were. */
export function withMiddlewareKeys(value: SessionData, data: SessionData): SessionData {
  let out = value;
  for (const key of middlewareKeys) {
    if (Object.hasOwn(data, key)) {
      if (out === value) out = { ...value };
      out[key] = data[key];
    }
  }
  return out;
}

/**
 * The issues' paths, `user.roles[0]` style (the root is `(root)`), at most five, and never
 * the validators' messages: those may quote the values, and session data may be secret.
 */
export function paths(issues: readonly StandardSchemaIssue[]): string {
  const named = [...new Set(issues.map((issue) => pathOf(issue.path)))];
  const shown = named.slice(0, 5).join(', ');
  return named.length > 5 ? `${shown} and ${named.length - 5} more` : shown;
}

function pathOf(path: StandardSchemaIssue['path']): string {
  if (path === undefined || path.length === 0) return '(root)';
  let out = '';
  for (const segment of path) {
    const key = typeof segment === 'object' ? segment.key : segment;
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const name = String(key);
      out += /^[A-Za-z_$][\w$]*$/.test(name)
        ? `${out === '' ? '' : '.'}${name}`
        : `[${describe(name)}]`;
    }
  }
  return out;
}
