import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEscapes } from './decode.ts';

/** decodeEscapes over `value` placed inside other text, as parseCookie calls it. */
function decodeWithin(value: string): string {
  const s = `a=%41; v=${value}; z=%42%`;
  const start = s.indexOf('v=') + 2;
  const end = start + value.length;
  return decodeEscapes(s, start, end, s.indexOf('%', start));
}

describe('decodeEscapes', () => {
  it('decodes sparse ASCII escapes, upper or lower case, as decodeURIComponent does', () => {
    const value = `${'x'.repeat(10)}%2c${'y'.repeat(10)}%3A${'z'.repeat(10)}%7e`;
    assert.equal(decodeWithin(value), decodeURIComponent(value));
  });

  it('decodes dense, UTF-8 and mixed escapes as decodeURIComponent does', () => {
    for (const value of ['%7B%22a%22%3A1%7D', `${'x'.repeat(12)}%2C%C3%A9`, '%F0%9F%8D%AA']) {
      assert.equal(decodeWithin(value), decodeURIComponent(value), value);
    }
  });

  it('P-08: gives the raw value when an escape is malformed, wherever it is', () => {
    for (const value of [`${'x'.repeat(12)}%2C${'y'.repeat(12)}%G1`, '%', 'ab%4', '%C3']) {
      assert.equal(decodeWithin(value), value, value);
    }
  });

  it('reads nothing past the end of the value, even an escape cut by it', () => {
    // The value ends in "%4"; the "1" that follows belongs to the next pair.
    const s = 'v=xxxxxxxxxxxx%2Cyyyyyyyyyyyy%41';
    const end = s.length - 1;
    assert.equal(decodeEscapes(s, 2, end, s.indexOf('%')), s.slice(2, end));
  });
});
