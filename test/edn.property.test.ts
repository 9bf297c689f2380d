// The EDN mapping is reversible: any value of it survives stringifyEdn → parseEdn, and the
// reader never throws anything but invalid_edn on any text (docs/decisions/0011-edn-mapping.md).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SessionkitError } from '../src/core/errors.ts';
import { parseEdn } from '../src/stores/ring/edn-read.ts';
import { stringifyEdn } from '../src/stores/ring/edn-write.ts';
import { ednValue } from './support/edn-arbitrary.ts';

const value = ednValue();

describe('EDN laws', () => {
  it('C-14: parseEdn(stringifyEdn(x)) deep-equals x for any value of the mapping', () => {
    fc.assert(
      fc.property(value, (x) => {
        assert.deepStrictEqual(parseEdn(stringifyEdn(x)), x);
      }),
      { numRuns: 1000 },
    );
  });

  it('writes what it reads back unchanged: stringifyEdn(parseEdn(stringifyEdn(x))) is the same text', () => {
    fc.assert(
      fc.property(value, (x) => {
        const text = stringifyEdn(x);
        assert.equal(stringifyEdn(parseEdn(text)), text);
      }),
    );
  });

  it('L-02: parseEdn never throws anything but invalid_edn, on any text', () => {
    const ednish = fc.string({
      unit: fc.constantFrom(...'{}[]()#:"\\ ,;_^/.-+019NMeE\nnil#inst#uuid'.split('')),
      maxLength: 40,
    });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), ednish), (text) => {
        try {
          parseEdn(text);
        } catch (error) {
          assert.ok(
            error instanceof SessionkitError && error.code === 'invalid_edn',
            String(error),
          );
        }
      }),
      { numRuns: 3000 },
    );
  });
});
