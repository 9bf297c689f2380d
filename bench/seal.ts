/**
 * Seal + open of a ~200-byte session object: sessionkit's cookie store against its peers and
 * a naive `node:crypto` reference, in one run; and the sealed formats side by side: v1
 * (sessionkit 0.1, AES-256-GCM), v2 (XChaCha20-Poly1305) with each provider, and the
 * XAES-256-GCM candidate v2 was chosen against (issue 16).
 *
 * Run alone with `npx tsx bench/seal.ts`; `npm run bench` calls {@link runSealBench}.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import fastifySecureSession from '@fastify/secure-session';
import type { Session } from '@fastify/secure-session';
import Fastify from 'fastify';
import { sealData, unsealData } from 'iron-session';
import Keygrip from 'keygrip';
import { cookieStore } from '../src/stores/cookie/cookie-store.ts';
import { memoryRevocations } from '../src/session/revocations.ts';
import { newSessionId } from '../src/session/session-id.ts';
import { createSealer } from '../src/crypto/seal.ts';
import { osRandom } from '../src/crypto/random.ts';
import type { SessionData } from '../src/core/types.ts';
import { v1Opener, v1Sealer } from '../test/support/v1-seal.ts';
import { checkXaesVectors, xaes256gcm } from './xaes.ts';
import type { MeasureOptions } from './harness.ts';
import { measure, printTable } from './harness.ts';
import { benchSecret, cookieName } from './servers/common.ts';

/** A signed-in user's session: 197 bytes of JSON. */
export const SESSION: SessionData = Object.freeze({
  userId: 'usr_7f3a9c2e41b8d605',
  email: 'ada.lovelace@example.com',
  name: 'Ada Lovelace',
  roles: ['admin', 'editor'],
  locale: 'en-GB',
  csrf: 'pT3xQ9vL2mR8sW1yB6cF3hJ5',
  lastSeen: 1764300000,
  n: 42,
});

/** A case is one seal + open (or one read), sync or async. The first is the reference, the second sessionkit's goal. */
interface Case {
  name: string;
  run: (() => unknown) | (() => Promise<unknown>);
  async: boolean;
  /** Checks once, before timing, that the case really round-trips the session. */
  check: () => Promise<unknown>;
}

// ---------------------------------------------------------------------------------------
// An async twin of harness.measure, one round: the same calibrate / warm-up / time scheme and
// the same clocks, awaiting each call (the cookie store's API and iron-session return promises).

let sink: unknown;

async function runBatchAsync(fn: () => Promise<unknown>, count: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) sink = await fn();
  return Number(process.hrtime.bigint() - start);
}

async function runForAsync(
  fn: () => Promise<unknown>,
  batch: number,
  seconds: number,
  clock: 'wall' | 'cpu',
): Promise<number> {
  const budget = seconds * 1e9;
  const cpuStart = process.cpuUsage();
  let elapsed = 0;
  let operations = 0;
  while (elapsed < budget) {
    elapsed += await runBatchAsync(fn, batch);
    operations += batch;
  }
  if (clock === 'wall') return (operations * 1e9) / elapsed;
  const cpu = process.cpuUsage(cpuStart);
  return (operations * 1e6) / Math.max(cpu.user + cpu.system, 1);
}

async function measureAsyncRound(
  fn: () => Promise<unknown>,
  seconds: number,
  warmupSeconds: number,
  clock: 'wall' | 'cpu',
): Promise<number> {
  let batch = 1;
  while (batch < 2 ** 30 && (await runBatchAsync(fn, batch)) < 1e6) batch *= 2;
  await runForAsync(fn, batch, warmupSeconds, clock);
  const opsPerSecond = await runForAsync(fn, batch, seconds, clock);
  if (sink === measureAsyncRound) console.log('(unreachable)');
  return opsPerSecond;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

// ---------------------------------------------------------------------------------------
// The contenders

/** The naive reference: JSON + `randomBytes(12)` IV + AES-256-GCM + base64url, and back. */
function rawReference(): { seal: (data: unknown) => string; open: (sealed: string) => unknown } {
  const key = createHash('sha256').update(benchSecret).digest();
  return {
    seal(data) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = cipher.update(JSON.stringify(data), 'utf8');
      cipher.final();
      return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    },
    open(sealed) {
      const bytes = Buffer.from(sealed, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      const plain = decipher.update(bytes.subarray(12, bytes.length - 16));
      decipher.final();
      return JSON.parse(plain.toString('utf8')) as unknown;
    },
  };
}

/** cookie-session's own steps: base64 JSON, keygrip (HMAC-SHA1) over `name=value`, and back. */
function cookieSessionCodec(): {
  seal: (data: unknown) => string[];
  open: (cookies: string[]) => unknown;
} {
  const keys = new Keygrip([benchSecret]);
  return {
    seal(data) {
      const value = Buffer.from(JSON.stringify(data)).toString('base64');
      return [value, keys.sign(`${cookieName}=${value}`)];
    },
    open([value = '', signature = '']) {
      if (!keys.verify(`${cookieName}=${value}`, signature)) return undefined;
      return JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as unknown;
    },
  };
}

/**
 * @fastify/secure-session's own `encodeSecureSession` / `decodeSecureSession`, which the
 * plugin decorates on a fastify instance: registered on one that never listens.
 */
async function fastifyCodec(): Promise<{
  seal: (data: Record<string, unknown>) => string;
  open: (sealed: string) => Session<SessionData> | null;
}> {
  const app = Fastify({ logger: false });
  await app.register(fastifySecureSession, {
    key: createHash('sha256').update(benchSecret).digest(),
    cookieName,
  });
  await app.ready();
  return {
    // The plugin adds `__ts` to the object it is given, so each seal gets a copy, as a request does.
    seal: (data) => app.encodeSecureSession(app.createSecureSession({ ...data })),
    // The decoded session as a request gets it (a Proxy over the parsed object).
    open: (sealed) => app.decodeSecureSession(sealed) as Session<SessionData> | null,
  };
}

/** A sealer's seal + open of the session, JSON included, as the cookie store would use it. */
function formatCodec(
  seal: (plaintext: string) => string,
  open: (sealed: string) => string | undefined,
): { run: () => unknown; check: () => Promise<unknown> } {
  const roundTrip = () => JSON.parse(open(seal(JSON.stringify(SESSION)))!) as unknown;
  return { run: roundTrip, check: async () => roundTrip() };
}

/**
 * The XAES-256-GCM candidate in the v2 layout (24-byte nonce from the OS, plaintext padded
 * to 32 bytes, base64url), so that only the cipher differs from the v2 rows.
 */
function xaesCodec(): {
  seal: (plaintext: string) => string;
  open: (sealed: string) => string | undefined;
} {
  checkXaesVectors();
  const xaes = xaes256gcm(createHash('sha256').update(benchSecret).digest());
  const aad = Buffer.from('sessionkit/bench');
  return {
    seal(plaintext) {
      const length = Buffer.byteLength(plaintext);
      const padded = Buffer.alloc(length - (length % 32) + 32);
      padded.write(plaintext);
      padded[length] = 0x80;
      const nonce = Buffer.allocUnsafe(24);
      osRandom(nonce);
      return Buffer.concat([nonce, xaes.seal(padded, aad, nonce)]).toString('base64url');
    },
    open(sealed) {
      const bytes = Buffer.from(sealed, 'base64url');
      const message = xaes.open(bytes.subarray(24), aad, bytes.subarray(0, 24));
      if (message === undefined) return undefined;
      return message.toString('utf8', 0, message.lastIndexOf(0x80));
    },
  };
}

async function cases(): Promise<Case[]> {
  const data = SESSION;
  const raw = rawReference();
  const v1 = v1Sealer(benchSecret, cookieName);
  const v1Open = v1Opener(benchSecret, cookieName);
  const v2Node = createSealer({ secrets: [benchSecret], cookieName, provider: 'node:crypto' });
  const v2Sodium = createSealer({ secrets: [benchSecret], cookieName, provider: 'sodium-native' });
  const xaes = xaesCodec();
  const unseal = (sealer: typeof v2Node) => (sealed: string) => sealer.unseal(sealed)?.plaintext;
  const formats: Case[] = [
    {
      name: 'format v1 (0.1): JSON + AES-256-GCM, IV from a pool',
      async: false,
      ...formatCodec((text) => v1.seal(text), v1Open),
    },
    {
      name: 'format v2: JSON + XChaCha20-Poly1305, node:crypto',
      async: false,
      ...formatCodec((text) => v2Node.seal(text), unseal(v2Node)),
    },
    {
      name: 'format v2: JSON + XChaCha20-Poly1305, sodium-native',
      async: false,
      ...formatCodec((text) => v2Sodium.seal(text), unseal(v2Sodium)),
    },
    {
      name: 'candidate: JSON + XAES-256-GCM, node:crypto',
      async: false,
      ...formatCodec(xaes.seal, xaes.open),
    },
  ];
  const fresh = cookieStore({ secrets: [benchSecret], cookieName, cacheEntries: 0 });
  const freshNode = cookieStore({
    secrets: [benchSecret],
    cookieName,
    cacheEntries: 0,
    provider: 'node:crypto',
  });
  const cached = cookieStore({ secrets: [benchSecret], cookieName });
  const cachedKey = await cached.write(undefined, data);
  // Revocation on vs off (issue 14): the same signed-in session (with a subject) read from the
  // cache, by a store without a list and by one whose list holds 100,000 revoked ids and
  // 10,000 revoked subjects, this session's subject among them (revoked before it was issued).
  const list = memoryRevocations();
  const until = Math.floor(Date.now() / 1000) + 86_400;
  for (let i = 0; i < 100_000; i++) await list.revoke(newSessionId(Date.now()), until);
  for (let i = 0; i < 9_999; i++) await list.revokeSubject(`usr_${i}`);
  await list.revokeSubject(String(data.userId));
  await new Promise((resolve) => setTimeout(resolve, 2)); // the session is issued after that
  const plainStore = cookieStore({ secrets: [benchSecret], cookieName });
  const revoking = cookieStore({ secrets: [benchSecret], cookieName, revocations: list });
  const plainKey = await plainStore.write(undefined, data, undefined, String(data.userId));
  const revokingKey = await revoking.write(undefined, data, undefined, String(data.userId));
  /** A request that reads the session and writes it back: the browser sends the newest cookie. */
  const readWrite = (store: typeof plainStore, first: string) => {
    let key = first;
    return async () => {
      const read = await store.read(key);
      key = (await store.write(key, read!.data, read!.createdAt))!;
      return key;
    };
  };
  const plainReadWrite = readWrite(plainStore, plainKey);
  const revokingReadWrite = readWrite(revoking, revokingKey);
  const fastify = await fastifyCodec();
  const signed = cookieSessionCodec();
  const ironOptions = { password: benchSecret };
  const same = (what: string, value: unknown, expected: unknown): void => {
    if (JSON.stringify(value) !== JSON.stringify(expected)) {
      throw new Error(
        `bench: ${what} did not round-trip the session: got ${JSON.stringify(value)}`,
      );
    }
  };
  return [
    {
      name: 'raw reference: JSON + randomBytes IV + AES-256-GCM + base64url',
      async: false,
      run: () => raw.open(raw.seal(data)),
      check: async () => same('raw', raw.open(raw.seal(data)), data),
    },
    {
      name: 'sessionkit cookieStore write + read, uncached (fresh seal)',
      async: true,
      run: async () => fresh.read(await fresh.write(undefined, data)),
      check: async () =>
        same('sessionkit', (await fresh.read(await fresh.write(undefined, data)))?.data, data),
    },
    {
      name: 'sessionkit cookieStore write + read, uncached, node:crypto only',
      async: true,
      run: async () => freshNode.read(await freshNode.write(undefined, data)),
      check: async () =>
        same(
          'sessionkit',
          (await freshNode.read(await freshNode.write(undefined, data)))?.data,
          data,
        ),
    },
    {
      name: 'sessionkit cookieStore write + read, default cache',
      async: true,
      run: async () => cached.read(await cached.write(undefined, data)),
      check: async () =>
        same('sessionkit', (await cached.read(await cached.write(undefined, data)))?.data, data),
    },
    {
      name: 'sessionkit cookieStore read, cached value',
      async: true,
      run: () => cached.read(cachedKey),
      check: async () => same('sessionkit', (await cached.read(cachedKey))?.data, data),
    },
    {
      name: 'revocation off: cookieStore read, cached, session with a subject',
      async: true,
      run: () => plainStore.read(plainKey),
      check: async () => same('sessionkit', (await plainStore.read(plainKey))?.data, data),
    },
    {
      name: 'revocation on: the same, list of 100k ids + 10k subjects',
      async: true,
      run: () => revoking.read(revokingKey),
      check: async () => same('sessionkit', (await revoking.read(revokingKey))?.data, data),
    },
    {
      name: 'revocation off: cookieStore read + re-seal, cached, with a subject',
      async: true,
      run: plainReadWrite,
      check: async () =>
        same('sessionkit', (await plainStore.read(await plainReadWrite()))?.data, data),
    },
    {
      name: 'revocation on: the same, list of 100k ids + 10k subjects',
      async: true,
      run: revokingReadWrite,
      check: async () =>
        same('sessionkit', (await revoking.read(await revokingReadWrite()))?.data, data),
    },
    {
      name: '@fastify/secure-session encode + decode (libsodium)',
      async: false,
      run: () => fastify.open(fastify.seal(data)),
      check: async () =>
        same('@fastify/secure-session', fastify.open(fastify.seal(data))?.data(), data),
    },
    {
      name: 'cookie-session: base64 JSON + keygrip sign + verify',
      async: false,
      run: () => signed.open(signed.seal(data)),
      check: async () => same('cookie-session', signed.open(signed.seal(data)), data),
    },
    {
      name: 'iron-session 8 sealData + unsealData',
      async: true,
      run: async () => unsealData(await sealData(data, ironOptions), ironOptions),
      check: async () =>
        same(
          'iron-session',
          await unsealData(await sealData(data, ironOptions), ironOptions),
          data,
        ),
    },
    ...formats,
  ];
}

/**
 * Measures every case and prints µs per operation and each one's ratio to the raw reference,
 * with the goal: sessionkit's uncached write + read within 1.15× of the reference.
 * Rounds are interleaved (round 1 of every case, then round 2, …) and timed in this process's
 * CPU time by default (the harness's `clock: 'cpu'`), so that other processes on the machine
 * skew no case; the median round is kept.
 */
export async function runSealBench(options: MeasureOptions = {}): Promise<void> {
  const all = await cases();
  for (const c of all) await c.check();
  const roundCount = options.rounds ?? 5;
  const seconds = options.seconds ?? 1;
  const clock = options.clock ?? 'cpu';
  const rounds = all.map((): number[] => []);
  for (let round = 0; round < roundCount; round++) {
    const warmupSeconds = round === 0 ? (options.warmupSeconds ?? 0.5) : 0.05;
    for (const [i, c] of all.entries()) {
      const opsPerSecond = c.async
        ? await measureAsyncRound(c.run as () => Promise<unknown>, seconds, warmupSeconds, clock)
        : measure(c.name, c.run, { seconds, rounds: 1, warmupSeconds, clock }).opsPerSecond;
      rounds[i]!.push(opsPerSecond);
    }
  }
  const micros = rounds.map((opsPerSecond) => 1e6 / median(opsPerSecond));
  const reference = micros[0]!;
  console.log(
    `seal + open of a ${JSON.stringify(SESSION).length}-byte session (Node ${process.version}), median of ${roundCount} interleaved rounds, ${clock === 'cpu' ? 'CPU' : 'wall-clock'} time`,
  );
  printTable(
    all.map((c, i) => ({
      case: c.name,
      'µs/op': micros[i]! < 100 ? micros[i]!.toFixed(2) : micros[i]!.toFixed(0),
      '× raw reference': (micros[i]! / reference).toFixed(2),
    })),
  );
  const ratio = micros[1]! / reference;
  console.log(
    `\nGoal: ${ratio <= 1.15 ? 'PASS' : 'FAIL'}  sessionkit uncached write + read ≤ 1.15× the raw reference: ${ratio.toFixed(2)}×`,
  );
  const at = (name: string) => micros[all.findIndex((c) => c.name.startsWith(name))]!;
  const pairs = all.flatMap((c, i) =>
    c.name.startsWith('revocation off') ? [[micros[i]!, micros[i + 1]!, c.name] as const] : [],
  );
  for (const [off, on, name] of pairs) {
    console.log(
      `Revocation check (${name.slice('revocation off: cookieStore '.length)}): +${(on - off).toFixed(2)} µs per request, ${(on / off).toFixed(2)}× the time without`,
    );
  }
  const v1 = at('format v1');
  for (const provider of ['sodium-native', 'node:crypto']) {
    const v2 = at(`format v2: JSON + XChaCha20-Poly1305, ${provider}`);
    console.log(
      `Goal: ${v2 <= v1 ? 'PASS' : 'FAIL'}  format v2 (${provider}) seal + open no slower than v1: ${(v2 / v1).toFixed(2)}× v1's time`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runSealBench();
}
