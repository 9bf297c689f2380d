import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Turns } from './turns.ts';

/** A promise and the function that settles it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('Turns', () => {
  it('runs the turns of one key one at a time, in the order they were asked for', async () => {
    const turns = new Turns<number>();
    const order: string[] = [];
    const first = gate();
    const runs = [0, 1, 2].map((i) =>
      turns.take('k', async () => {
        order.push(`start ${i}`);
        if (i === 0) await first.promise;
        order.push(`end ${i}`);
        return { result: i };
      }),
    );
    await Promise.resolve();
    assert.deepEqual(order, ['start 0'], 'the others wait');
    first.open();
    assert.deepEqual(await Promise.all(runs), [0, 1, 2]);
    assert.deepEqual(order, ['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('hands each turn what the one before it left, and nothing to a turn that waited for none', async () => {
    const turns = new Turns<number>();
    const seen: (number | undefined)[] = [];
    const take = (left: number | undefined) =>
      turns.take('k', async (previous) => {
        seen.push(previous);
        return { result: undefined, left };
      });
    await Promise.all([take(1), take(2), take(undefined), take(4)]);
    await take(5); // the line was empty: it waited for none
    assert.deepEqual(seen, [undefined, 1, 2, undefined, undefined]);
  });

  it('goes on after a turn that rejects, and keeps keys apart', async () => {
    const turns = new Turns<number>();
    const held = gate();
    const other = turns.take('other', async () => {
      await held.promise;
      return { result: 'other' };
    });
    const failing = turns.take('k', async () => {
      throw new Error('boom');
    });
    const next = turns.take('k', async (previous) => ({ result: previous }));
    await assert.rejects(failing, /boom/);
    assert.equal(await next, undefined, 'a turn that rejected leaves nothing');
    held.open();
    assert.equal(await other, 'other');
  });
});
