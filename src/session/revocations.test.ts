import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Clock } from '../../test/support/clock.ts';
import { RecordingLogger } from '../../test/support/fakes.ts';
import { SessionkitError } from '../core/errors.ts';
import {
  memoryRevocations,
  resolveRevocationOptions,
  RevocationSet,
  revocationDefaults,
  subjectProblem,
} from './revocations.ts';
import { legacySessionId, newSessionId, sessionIdPattern, sessionIdTime } from './session-id.ts';

describe('session ids', () => {
  it('L-03: are 30 base64url characters, 128 random bits after the issue time, all different', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(newSessionId(Date.UTC(2026, 0, 1)));
    assert.equal(ids.size, 10_000);
    for (const id of ids) assert.match(id, sessionIdPattern);
  });

  it('carry their issue time to the millisecond', () => {
    for (const ms of [0, 1, Date.UTC(2026, 0, 1, 12, 30, 15, 123), 2 ** 48 - 1]) {
      assert.equal(sessionIdTime(newSessionId(ms)), ms);
    }
  });

  it('a legacy id is the same for the same value and carries the creation time', () => {
    const digest = new Uint8Array(32).fill(7);
    const a = legacySessionId(1_700_000_000_000, digest);
    assert.equal(a, legacySessionId(1_700_000_000_000, digest));
    assert.match(a, sessionIdPattern);
    assert.equal(sessionIdTime(a), 1_700_000_000_000);
  });
});

describe('memoryRevocations', () => {
  it('L-07: a revoked id is revoked; other ids are not', async () => {
    const clock = new Clock();
    const list = memoryRevocations({ now: clock.now });
    const id = newSessionId(clock.ms);
    await list.revoke(id, clock.seconds + 3600);
    assert.equal(list.isRevoked(id, undefined), true);
    assert.equal(list.isRevoked(id, 'alice'), true);
    assert.equal(list.isRevoked(newSessionId(clock.ms), undefined), false);
  });

  it('L-13: revokes the sessions of a subject issued before the call, not those issued after, nor other subjects', async () => {
    const clock = new Clock();
    const list = memoryRevocations({ now: clock.now });
    const earlier = newSessionId(clock.ms - 1);
    const same = newSessionId(clock.ms);
    await list.revokeSubject('alice');
    clock.ms += 1;
    const later = newSessionId(clock.ms);
    assert.equal(list.isRevoked(earlier, 'alice'), true);
    assert.equal(list.isRevoked(same, 'alice'), false, 'issued in the same millisecond');
    assert.equal(list.isRevoked(later, 'alice'), false, 'a new login');
    assert.equal(list.isRevoked(earlier, 'bob'), false);
    assert.equal(list.isRevoked(earlier, undefined), false);
  });

  it('refuses a subject that is empty, too long, has control characters or is not a string', async () => {
    const list = memoryRevocations();
    for (const bad of ['', 'x'.repeat(1001), 'a\nb', 'tab\there', 42, null]) {
      await assert.rejects(
        list.revokeSubject(bad as string),
        (e: unknown) => e instanceof SessionkitError && e.code === 'invalid_option',
      );
    }
    assert.equal(subjectProblem('x'.repeat(1000)), undefined);
    assert.equal(subjectProblem('Zoë 🙂 user@example.com'), undefined);
  });

  it('refuses unknown and invalid options', () => {
    for (const options of [
      { maxEntries: 0 },
      { absoluteTimeoutSeconds: 0 },
      { absoluteTimeoutSeconds: 1.5 },
      { now: 5 },
      { logger: {} },
      { maxentries: 5 },
    ]) {
      assert.throws(
        () => memoryRevocations(options as never),
        (e: unknown) => e instanceof SessionkitError && e.code === 'invalid_option',
        JSON.stringify(options),
      );
    }
    assert.equal(memoryRevocations().absoluteTimeoutSeconds, 604_800);
    assert.ok(Object.isFrozen(revocationDefaults));
  });
});

describe('RevocationSet', () => {
  const make = (clock: Clock, maxEntries = 1_000_000, logger = new RecordingLogger()) =>
    new RevocationSet(
      resolveRevocationOptions('test', {
        now: clock.now,
        maxEntries,
        absoluteTimeoutSeconds: 7200,
        logger,
      }),
    );

  it('keeps the later of two expiries for an id and the later of two times for a subject', () => {
    const clock = new Clock();
    const set = make(clock);
    const [now, ms] = [clock.seconds, clock.ms];
    assert.equal(set.addId('a'.repeat(30), now + 100), true);
    assert.equal(set.addId('a'.repeat(30), now + 50), false);
    assert.equal(set.ids.get('a'.repeat(30)), now + 100);
    assert.equal(set.addSubject('alice', ms + 10), true);
    assert.equal(set.addSubject('alice', ms + 5), false);
    assert.equal(set.addSubject('alice', ms + 20), true);
    assert.equal(set.subjects.get('alice'), ms + 20);
  });

  it('forgets ids once they expire and subjects once every session they covered has, hour by hour', () => {
    const clock = new Clock();
    const set = make(clock);
    const id = newSessionId(clock.ms);
    set.addId(id, clock.seconds + 60);
    set.addSubject('alice', clock.ms);
    clock.advance(3 * 3600); // past the id's expiry and the subject's 7200 s
    set.addId(newSessionId(clock.ms), clock.seconds + 60); // maintenance runs on an add
    assert.equal(set.ids.has(id), false);
    assert.equal(set.subjects.has('alice'), false);
    assert.equal(set.ids.size, 1);
  });

  it('Z-07: holds at most maxEntries, forgetting those that expire soonest, with one warning', () => {
    const clock = new Clock();
    const logger = new RecordingLogger();
    const set = make(clock, 3, logger);
    const ids = [5, 1, 4, 2, 3].map((hours) => {
      const id = newSessionId(clock.ms + hours);
      set.addId(id, clock.seconds + hours * 3600);
      return id;
    });
    assert.equal(set.ids.size, 3);
    assert.deepEqual(
      ids.map((id) => set.ids.has(id)),
      [true, false, true, false, true],
    );
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0]!, /revocation list is full \(maxEntries 3\)/);
  });
});
