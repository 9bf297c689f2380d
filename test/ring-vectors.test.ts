// Ring's cookie-store format against vectors made by Ring's own seal function with a pinned
// IV (test/fixtures/ring-cookie-vectors.json): every positive vector opens to its EDN and
// re-seals byte for byte, every lenient one reads as Ring 1.15 reads it, every negative one
// is no session, whether Ring 1.15 answers it with no session or with a 500.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeSessionKey, encodeSessionKey } from '../src/session/session-key.ts';
import { parseEdn } from '../src/stores/ring/edn-read.ts';
import { stringifyEdn } from '../src/stores/ring/edn-write.ts';
import { ringCookieStore } from '../src/stores/ring/ring-cookie-store.ts';
import {
  formDecode,
  formEncode,
  ringKey,
  sealRing,
  unsealRing,
} from '../src/stores/ring/ring-seal.ts';

interface Vector {
  name: string;
  key: string;
  keyHex: string;
  edn?: string;
  ivHex?: string;
  cookieValue: string;
  wireValue: string;
  readBack: Record<
    'ring-1.15.5' | 'ring-1.8.2',
    { result: 'value' | 'nil' | 'throws'; edn?: string }
  >;
}

const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/ring-cookie-vectors.json', import.meta.url), 'utf8'),
) as { positive: Vector[]; lenient: Vector[]; negative: Vector[] };

const keyOf = (v: Vector): Buffer => {
  const key = ringKey(v.key, 'test');
  assert.equal(key.toString('hex'), v.keyHex, 'the key is the UTF-8 bytes of the secret');
  return key;
};

const storeFor = (v: Vector) => ringCookieStore({ key: v.key });

/**
 * What the store reads for a vector's cookie: its wire value decoded as `wrapSession` decodes
 * a session key (percent-decoding; a malformed escape never reaches the store).
 */
const readWire = async (v: Vector) => {
  const key = decodeSessionKey(v.wireValue);
  return key === undefined ? undefined : storeFor(v).read(key);
};

/**
 * The one vector whose wire value holds a raw `+`: Ring form-decodes it to a space and reads
 * no session; sessionkit keeps `+` as `+` (README, "cookie values") and reads the authentic
 * seal it is.
 */
const rawPlus = "data with spaces where '+' was (raw cookie whose + was form-decoded)";

/** Whether an EDN text is a map with keyword keys: the only sessions Ring's flash survives. */
const isSessionMap = (edn: string): boolean => {
  const value = parseEdn(edn);
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
};

describe('Ring cookie vectors', () => {
  it('has the vectors it expects (20 positive, 2 lenient, 15 negative)', () => {
    assert.deepEqual(
      [vectors.positive.length, vectors.lenient.length, vectors.negative.length],
      [20, 2, 15],
    );
  });

  describe('positive: opens to its EDN and re-seals byte for byte with the pinned IV', () => {
    for (const v of vectors.positive) {
      it(v.name, async () => {
        const key = keyOf(v);
        assert.equal(formEncode(v.cookieValue), v.wireValue, 'form-encoded as wrap-cookies does');
        // S-18: wrapSession writes a Ring store's key (the seal) with the same bytes.
        assert.equal(encodeSessionKey(v.cookieValue), v.wireValue);
        assert.equal(decodeSessionKey(v.wireValue), v.cookieValue);
        assert.equal(formDecode(v.wireValue), v.cookieValue);
        const plaintext = unsealRing(key, v.cookieValue);
        assert.equal(plaintext, v.edn);
        assert.equal(v.readBack['ring-1.15.5'].edn ?? 'nil', v.edn);
        assert.equal(sealRing(key, v.edn!, Buffer.from(v.ivHex!, 'hex')), v.cookieValue);

        const value = parseEdn(plaintext!);
        if (v.edn!.startsWith('#:')) {
          // Printed by a REPL thread; request threads print the same map in full.
          const full = vectors.positive.find((p) => p.name === 'anti-forgery token only')!;
          assert.deepEqual(value, parseEdn(full.edn!));
          assert.equal(stringifyEdn(value), full.edn);
        } else {
          assert.equal(stringifyEdn(value), v.edn, 'the value writes back as the same EDN');
          assert.equal(
            sealRing(key, stringifyEdn(value), Buffer.from(v.ivHex!, 'hex')),
            v.cookieValue,
          );
        }

        const read = await readWire(v);
        if (isSessionMap(v.edn!)) {
          assert.deepEqual(read?.data, value, 'the store reads the session map');
          assert.equal(
            read?.stale,
            true,
            'a value Kit sealed, without times, is re-sealed with them',
          );
        } else {
          // nil is no session in Ring; a string or a vector crashes Ring's flash (500);
          // a map with non-keyword keys is not a sessionkit session object.
          assert.equal(read, undefined);
        }
      });
    }
  });

  describe('lenient: read as Ring 1.15 reads them', () => {
    for (const v of vectors.lenient) {
      it(v.name, async () => {
        assert.equal(v.readBack['ring-1.15.5'].result, 'value');
        assert.equal(unsealRing(keyOf(v), v.cookieValue), v.readBack['ring-1.15.5'].edn);
        const read = await readWire(v);
        assert.deepEqual(read?.data, parseEdn(v.readBack['ring-1.15.5'].edn!));
      });
    }
  });

  describe('negative: no session, never a throw (Ring answers some with a 500)', () => {
    for (const v of vectors.negative.filter((n) => n.name !== rawPlus)) {
      it(`${v.name} (Ring 1.15: ${v.readBack['ring-1.15.5'].result})`, async () => {
        keyOf(v);
        assert.equal(await readWire(v), undefined);
        // What Ring's reader hands its store: the seal form-decoded.
        const formDecoded = formDecode(v.wireValue);
        if (formDecoded !== undefined) {
          assert.equal(await storeFor(v).read(formDecoded), undefined);
        }
      });
    }
    it(`${rawPlus}: differs (README "cookie values"), read as the seal it is`, async () => {
      const v = vectors.negative.find((n) => n.name === rawPlus)!;
      assert.notEqual(await readWire(v), undefined);
      assert.equal(
        await storeFor(v).read(formDecode(v.wireValue)!),
        undefined,
        'with the + made spaces, as Ring reads it, no session',
      );
    });
  });

  it('C-18: a valid MAC over unreadable EDN is no session, like a bad MAC (no oracle)', async () => {
    const throwing = vectors.negative.filter((v) => v.readBack['ring-1.15.5'].result === 'throws');
    assert.ok(throwing.length >= 4, 'the vectors Ring answers with a 500');
    for (const v of throwing) assert.equal(await readWire(v), undefined);
  });
});
