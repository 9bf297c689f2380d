import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chain, Chains } from './chains.ts';

const value = (json: string) => ({ createdAt: 1, json });

describe('Chain', () => {
  it('expects what the last write sent leaves', () => {
    const chain = new Chain();
    assert.equal(chain.expected, undefined);
    chain.sent(value('{"n":1}'));
    chain.sent(value('{"n":2}'));
    assert.deepEqual(chain.expected, value('{"n":2}'));
  });

  it('once broken, expects what the first failed write found, whatever the later ones of it found', () => {
    const chain = new Chain();
    const first = chain.sent(value('{"n":1}'));
    const second = chain.sent(value('{"n":2}')); // bound to fail with the first
    chain.failed(first, value('{"n":9}'));
    assert.deepEqual(chain.expected, value('{"n":9}'));
    const retry = chain.sent(value('{"n":10}'));
    chain.failed(second, value('{"n":9}')); // answered before the retry ran: nothing newer
    assert.deepEqual(chain.expected, value('{"n":10}'));
    chain.failed(retry, value('{"n":20}')); // the retry failed too: a new break
    assert.deepEqual(chain.expected, value('{"n":20}'));
  });

  it('adopts what a read found only when no write was sent after it was issued', () => {
    const chain = new Chain();
    chain.sent(value('{"n":1}'));
    const quiet = chain.mark();
    chain.read(quiet, value('{"n":5}'));
    assert.deepEqual(chain.expected, value('{"n":5}'));
    const busy = chain.mark();
    chain.sent(value('{"n":6}'));
    chain.read(busy, value('{"n":5}'));
    assert.deepEqual(chain.expected, value('{"n":6}'));
  });
});

describe('Chains', () => {
  it('gives the updates of one key running at once one chain, and a new one once none runs', async () => {
    const chains = new Chains();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const seen: Chain[] = [];
    const first = chains.with('k', async (chain) => {
      seen.push(chain);
      chain.sent(value('{}'));
      await held;
    });
    await chains.with('k', async (chain) => void seen.push(chain));
    await chains.with('other', async (chain) => void seen.push(chain));
    release();
    await first;
    await chains.with('k', async (chain) => void seen.push(chain));
    assert.equal(seen[1], seen[0], 'one chain while the first runs');
    assert.notEqual(seen[2], seen[0], 'another key, another chain');
    assert.notEqual(seen[3], seen[0], 'a new chain once none ran');
    assert.equal(seen[3]!.expected, undefined);
  });

  it('ends a chain whose update rejected', async () => {
    const chains = new Chains();
    await assert.rejects(
      chains.with('k', async (chain) => {
        chain.sent(value('{}'));
        throw new Error('boom');
      }),
      /boom/,
    );
    await chains.with('k', async (chain) => assert.equal(chain.expected, undefined));
  });
});
