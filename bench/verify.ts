/**
 * A replayed-cookie load's helpers, for bench/redis.ts (autocannon sends one fixed Cookie
 * header): which server and route, the load settings, and a check, before any load, that a
 * contender keeps its session.
 */
import { request as httpRequest } from 'node:http';
import { withTimeout } from './process.ts';

const ipcTimeoutMs = 5_000;

/** A contender: which server file, which route, and what its responses must show. */
export interface Contender {
  name: string;
  /** The file in bench/servers/ without `.ts`. */
  server: string;
  path: string;
  /** `none`: no session; `write`: the counter goes up; `read`: it is read, never written. */
  session: 'none' | 'write' | 'read';
  /** The session travels in the cookie, so every write must answer a fresh Set-Cookie. */
  cookieBased: boolean;
}

/**
 * The load settings. `BENCH_SECONDS`: measured seconds per round (default 2); `BENCH_ROUNDS`:
 * interleaved rounds (default 3), the median kept, so that a spell of other work on this
 * shared 2-core machine skews one round of one contender rather than the table.
 */
export function settings(): {
  seconds: number;
  warmupSeconds: number;
  connections: number;
  rounds: number;
} {
  const seconds = Number(process.env.BENCH_SECONDS ?? 2);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 60) {
    throw new Error(
      `bench: BENCH_SECONDS is invalid: got ${process.env.BENCH_SECONDS}, expected 1 to 60`,
    );
  }
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 5) {
    throw new Error(
      `bench: BENCH_ROUNDS is invalid: got ${process.env.BENCH_ROUNDS}, expected 1 to 5`,
    );
  }
  return { seconds, warmupSeconds: 1, connections: 10, rounds };
}

// ---------------------------------------------------------------------------------------
// Checking that a contender round-trips its session

interface Answer {
  status: number;
  body: string;
  setCookies: string[];
}

function get(port: number, path: string, cookie: string | undefined): Promise<Answer> {
  return withTimeout(
    new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          agent: false,
          headers: cookie === undefined ? {} : { cookie },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            const setCookie = res.headers['set-cookie'] ?? [];
            resolve({ status: res.statusCode ?? 0, body, setCookies: setCookie });
          });
        },
      );
      req.on('error', reject);
      req.end();
    }),
    ipcTimeoutMs,
    `GET ${path} was not answered`,
  );
}

/** `name=value` pairs of Set-Cookie lines merged over a Cookie header. */
function mergeCookies(cookie: string, setCookies: readonly string[]): string {
  const jar = new Map<string, string>();
  for (const pair of cookie.split('; ')) if (pair !== '') jar.set(pair.split('=')[0] ?? '', pair);
  for (const line of setCookies) {
    const pair = line.split(';')[0] ?? '';
    jar.set(pair.split('=')[0] ?? '', pair);
  }
  return [...jar.values()].join('; ');
}

function misconfigured(contender: Contender, what: string, answer: Answer): Error {
  return new Error(
    `bench: ${contender.name} is misconfigured: ${what}; got status ${answer.status}, body ${JSON.stringify(answer.body.slice(0, 80))}, ${answer.setCookies.length} Set-Cookie`,
  );
}

/**
 * Checks, before any load, that the contender keeps its session: the first write sets a
 * cookie, the counter goes 1 → 2 → 3 with the cookies sent back, a cookie-based store answers
 * a fresh Set-Cookie on each write, and a read-only route answers no Set-Cookie. Resolves to
 * the Cookie header to load with (a session whose counter is 1).
 */
export async function verify(contender: Contender, port: number): Promise<string | undefined> {
  const first = await get(port, contender.session === 'read' ? '/' : contender.path, undefined);
  if (first.status !== 200) throw misconfigured(contender, 'the first request failed', first);
  if (contender.session === 'none') return undefined;
  if (first.body !== '1' || first.setCookies.length === 0) {
    throw misconfigured(
      contender,
      'the first write did not answer counter 1 with a Set-Cookie',
      first,
    );
  }
  const cookie = mergeCookies('', first.setCookies);
  if (contender.session === 'read') {
    const read = await get(port, contender.path, cookie);
    if (read.status !== 200 || read.body !== '1' || read.setCookies.length !== 0) {
      throw misconfigured(
        contender,
        'the read-only route did not answer counter 1 without a Set-Cookie',
        read,
      );
    }
    return cookie;
  }
  let sent = cookie;
  for (const expected of ['2', '3']) {
    const next = await get(port, contender.path, sent);
    if (next.status !== 200 || next.body !== expected) {
      throw misconfigured(
        contender,
        `the session did not round-trip (expected counter ${expected})`,
        next,
      );
    }
    if (contender.cookieBased && next.setCookies.length === 0) {
      throw misconfigured(
        contender,
        'a write to a cookie-based session answered no Set-Cookie',
        next,
      );
    }
    sent = mergeCookies(sent, next.setCookies);
  }
  return cookie;
}
