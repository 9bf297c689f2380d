import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringifySession } from '../../session/session-json.ts';
import { dataTextOf, parseData, parsePayload, stringifyPayload } from './payload.ts';

const id = 'AaIrs7bKLHJygPL4Lpoh5ZW77bgwQQ';

/** The data a read gets from the data's text alone, or undefined when it falls back to a full parse. */
function fromText(plaintext: string): unknown {
  const payload = parsePayload(plaintext, 'v2.sealed')!;
  const text = dataTextOf(plaintext, payload);
  return text === undefined ? undefined : parseData(text);
}

describe('dataTextOf', () => {
  it('finds the data of what stringifyPayload writes, with or without a subject', () => {
    for (const subject of [undefined, 'user-1', 'a "quoted", \\"d\\": subject']) {
      for (const data of [{}, { n: 1 }, { d: { d: 1 }, list: [1, '"d":'], s: null }]) {
        const plaintext = stringifyPayload(
          1764491234,
          1764491300,
          id,
          subject,
          stringifySession(data),
        );
        assert.deepEqual(fromText(plaintext), data);
        assert.deepEqual(fromText(plaintext), parsePayload(plaintext, 'v2.sealed')!.data);
      }
    }
  });

  it('gives nothing, or text that does not parse, for a payload laid out otherwise', () => {
    const others = [
      `{"d":{"n":1},"c":1,"a":1,"i":"${id}"}`,
      `{"c":1,"a":1,"i":"${id}","d":{"n":1},"d":{"n":2}}`,
      `{"c":1,"a":1,"i":"${id}","d":{"n":1},"x":2}`,
      `{"c":1,"a":1,"i":"${id}","d":{"n":1}} `,
      `{"c":1.0,"a":1,"i":"${id}","d":{"n":1}}`,
      `{"c":1,"a":1,"d":{"n":1}}`, // no id: legacy
    ];
    for (const plaintext of others) {
      assert.ok(parsePayload(plaintext, 'v2.sealed') !== undefined, plaintext);
      assert.equal(fromText(plaintext), undefined, plaintext);
    }
  });

  it('drops prototype keys from the data, as a full parse does (C-13)', () => {
    const plaintext = `{"c":1,"a":1,"i":"${id}","d":{"ok":1,"__proto__":{"admin":true}}}`;
    const data = fromText(plaintext) as Record<string, unknown>;
    assert.deepEqual(Object.keys(data), ['ok']);
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
  });
});
