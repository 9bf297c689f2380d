/**
 * The cookie codec against the `cookie` package (jshttp/cookie v1), side by side in one run:
 * parsing a realistic Cookie header, and serializing a Set-Cookie with every attribute.
 *
 * Run alone with `npx tsx bench/cookie.ts`; `npm run bench` calls {@link runCookieBench}.
 */
import { pathToFileURL } from 'node:url';
import * as cookie from 'cookie';
import { cookieValues, parseCookie } from '../src/cookies/parse.ts';
import { serializeCookie } from '../src/cookies/serialize.ts';
import type { MeasureOptions } from './harness.ts';
import { compare, formatOps, printTable } from './harness.ts';

/**
 * What a browser sends to a shop-like site: a sealed session (base64url), Google Analytics
 * ids, a OneTrust consent cookie (percent-encoded), a language and a JSON preference
 * (percent-encoded). 6 cookies, about 600 bytes.
 */
export const REALISTIC_COOKIE_HEADER =
  '__Host-session=v1.k1.Xq3mVq9pL2wRt7YbN4cZ8f.J1hD6gA0eUJq2Lw9xZ3vB8nM4kT7rY1pC5sF0dG6hE2aW9uI3oQzR8tY5uI1oP3aS6dF9gH2jK4lZ7xC0vB.mN5bV8cX1zL4kJ7h; ' +
  '_ga=GA1.1.1234567890.1712345678; ' +
  '_ga_3K7Q9Z1XYW=GS1.1.1712345678.3.1.1712349999.0.0.0; ' +
  'OptanonConsent=isGpcEnabled=0&datestamp=Tue+Apr+09+2024+10%3A15%3A30+GMT%2B0200+(Central+European+Summer+Time)&version=202402.1.0&isIABGlobal=false&hosts=&consentId=5f1c9a2e-7b3d-4e8f-a1c6-9d2b0e4f7a35&interactionCount=1&landingPath=NotLandingPage&groups=C0001%3A1%2CC0002%3A1%2CC0003%3A0%2CC0004%3A0; ' +
  'lang=en-US; ' +
  'prefs=%7B%22theme%22%3A%22dark%22%2C%22tz%22%3A%22Europe%2FBerlin%22%7D';

/** A sealed session value: base64url, as the cookie store writes it. */
const SEALED = 'v1.k1.Xq3mVq9pL2wRt7YbN4cZ8f.J1hD6gA0eUJq2Lw9xZ3vB8nM4kT7rY1pC5sF0dG6hE2aW9uI3oQ';

/**
 * Runs every case for both libraries, rounds interleaved, and prints
 * case | sessionkit ops/s | cookie ops/s | ratio. Speeds are per second of CPU time unless
 * `options.clock` says otherwise, so that other load on the machine does not skew them.
 */
export function runCookieBench(options: MeasureOptions = {}): Promise<void> {
  const clock = options.clock ?? 'cpu';
  // One day ahead, inside the 400-day window that serializeCookie enforces.
  const expires = new Date(Date.now() + 86_400_000);
  const everyAttribute = {
    domain: 'shop.example.com',
    path: '/',
    maxAge: 86_400,
    expires,
    httpOnly: true,
    secure: true,
    sameSite: 'none',
    partitioned: true,
    priority: 'high',
  } as const;
  const kitSession = {
    path: '/',
    secure: true,
    httpOnly: true,
    maxAge: 86_400,
    sameSite: 'strict',
  } as const;
  // A header as node:http hands it over: one flat string read off the socket (the literal
  // above is a concatenation, which V8 keeps as a rope until first flattened).
  const header = Buffer.from(REALISTIC_COOKIE_HEADER, 'latin1').toString('latin1');
  const cases: Array<{ name: string; ours: () => unknown; theirs: () => unknown }> = [
    {
      name: `parse: ${header.length}-byte header, 6 cookies`,
      ours: () => parseCookie(header),
      theirs: () => cookie.parse(header),
    },
    {
      // What wrapSession does on every request: find its own cookie, undecoded.
      name: 'session cookie: cookieValues vs parse()[name]',
      ours: () => cookieValues(header, '__Host-session'),
      theirs: () => cookie.parse(header)['__Host-session'],
    },
    {
      name: 'serialize: every attribute',
      ours: () => serializeCookie('session', SEALED, everyAttribute),
      theirs: () => cookie.serialize('session', SEALED, everyAttribute),
    },
    {
      name: 'serialize: Kit session cookie',
      ours: () => serializeCookie('__Host-session', SEALED, kitSession),
      theirs: () => cookie.serialize('__Host-session', SEALED, kitSession),
    },
  ];

  const rows = cases.map(({ name, ours, theirs }) => {
    const [sessionkit, peer] = compare(
      [
        { name: `sessionkit ${name}`, fn: ours },
        { name: `cookie ${name}`, fn: theirs },
      ],
      { ...options, clock },
    );
    const ratio = sessionkit!.opsPerSecond / peer!.opsPerSecond;
    return {
      case: name,
      'sessionkit ops/s': formatOps(sessionkit!.opsPerSecond),
      'cookie ops/s': formatOps(peer!.opsPerSecond),
      'ratio (sessionkit/cookie)': ratio.toFixed(2),
    };
  });
  const unit = clock === 'cpu' ? 'CPU second' : 'second';
  console.log(`cookie codec vs cookie@1 on Node ${process.version} (median ops per ${unit})`);
  printTable(rows);
  return Promise.resolve();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCookieBench();
}
