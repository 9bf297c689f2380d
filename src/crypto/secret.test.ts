import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SessionkitError } from '../core/errors.ts';
import { checkSecret, isKeyMaterial, minSecretBytes, secretWeakness } from './secret.ts';

function thrown(fn: () => unknown): SessionkitError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SessionkitError);
    return error;
  }
  assert.fail('expected a throw');
}

/** Passphrases spelt in the base64url alphabet, 43 characters or more. */
const passphrases = [
  'correct-horse-battery-staple-2024-and-more-words',
  'Correct-Horse-Battery-Staple-2024-In-The-Garden',
  'CorrectHorseBatteryStaple2024SunnyGardenBlue',
  'xK9-correct-horse-battery-staple-Qz7-garden-blue',
  'Tr0ub4dor-and-3-correct-horse-battery-staples-X1',
];

/** Phrases a guesser tries first (K-13): refused, not stretched. */
const guessablePhrases = [
  'my_super_secret_session_key_for_production_2024',
  'thisIsMyVeryLongAndSecurePassphraseForSessions',
  'sessionkit-production-cookie-secret-2024-v2-main',
];

void describe('secretWeakness', () => {
  void it('K-02: counts bytes of UTF-8 and says so', () => {
    assert.equal(minSecretBytes, 32);
    const short = '€'.repeat(10); // 10 characters, 30 bytes
    assert.equal(
      secretWeakness(short),
      'is 30 bytes long (UTF-8), shorter than the 32 bytes required',
    );
    assert.equal(
      secretWeakness('x'.repeat(31)),
      'is 31 bytes long (UTF-8), shorter than the 32 bytes required',
    );
  });

  void it('K-02: does not call a secret without letters or digits a placeholder', () => {
    assert.equal(secretWeakness('€'.repeat(11)), 'has fewer than 8 distinct characters');
    assert.equal(secretWeakness('пароль-для-сессий-в-продакшене-2024'), undefined);
    assert.equal(secretWeakness('€$£¥₩₹₽¢'.repeat(4)), 'repeats a short pattern');
  });

  void it('K-01: still finds placeholders, alone, repeated or glued with separators', () => {
    assert.equal(secretWeakness('16charsecrethere'), 'is a well-known placeholder value');
    assert.equal(secretWeakness('<<your secret>>'), 'is a well-known placeholder value');
    assert.equal(
      secretWeakness('changeme-changeme-changeme-changeme'),
      'is a well-known placeholder value, repeated',
    );
    assert.equal(
      secretWeakness('supersecret € changeme € keyboardcat'),
      'is a well-known placeholder value, repeated',
    );
  });

  void it('K-02: refuses low-entropy secrets of any length', () => {
    assert.equal(secretWeakness('a'.repeat(32)), 'has fewer than 8 distinct characters');
    assert.equal(secretWeakness('12345678901234567890123456789012'), 'is made of digits only');
    assert.equal(secretWeakness('abcdefghij'.repeat(4)), 'repeats a short pattern');
  });

  void it('never quotes the secret (K-07)', () => {
    const secret = 'k07-secret-€-' + 'q'.repeat(3);
    assert.ok(!secretWeakness(secret)!.includes('k07'));
  });
});

void describe('isKeyMaterial', () => {
  void it('accepts what `sessionkit secret`, `openssl rand -base64 32` and `openssl rand -hex 32` print', () => {
    for (let i = 0; i < 20; i++) {
      const bytes = randomBytes(32 + (i % 3) * 8);
      assert.ok(isKeyMaterial(bytes.toString('hex')), 'hex');
      assert.ok(isKeyMaterial(bytes.toString('hex').toUpperCase()), 'HEX');
    }
    // Base64: fewer than 1 in 1000 random secrets read as words (then they are stretched).
    let accepted = 0;
    for (let i = 0; i < 400; i++) {
      const bytes = randomBytes(32);
      if (isKeyMaterial(bytes.toString('base64url'))) accepted++;
      if (isKeyMaterial(bytes.toString('base64'))) accepted++;
    }
    // About 0.08% are refused, 0.7 of 800 on average: allowing 8 fails one run in 10^8, where
    // allowing 2 failed one in 35.
    assert.ok(accepted >= 792, `${accepted} of 800`);
  });

  void it('K-08: takes passphrases for what they are, even in the base64url alphabet', () => {
    for (const passphrase of passphrases) {
      assert.equal(secretWeakness(passphrase), undefined, 'they pass the weakness checks');
      assert.equal(isKeyMaterial(passphrase), false, passphrase);
    }
    assert.equal(isKeyMaterial('correct horse battery staple 2024, sessionkit'), false);
  });

  void it('refuses short, non-canonical and mixed encodings (they are stretched instead)', () => {
    const bytes = randomBytes(32);
    const url = bytes.toString('base64url'); // 43 characters, 4 trailing bits
    assert.equal(isKeyMaterial(url.slice(0, 42)), false, 'too short');
    assert.equal(isKeyMaterial(randomBytes(31).toString('base64url')), false, '31 bytes');
    assert.equal(isKeyMaterial(randomBytes(31).toString('hex')), false, '31 bytes of hex');
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const nonCanonical = url.slice(0, -1) + last[last.indexOf(url.at(-1)!) | 1]!;
    assert.equal(isKeyMaterial(nonCanonical), false, 'trailing bits set');
    assert.equal(isKeyMaterial(`${url.slice(0, 40)}-_A=`), false, 'padded base64url');
    const unpadded = `+${bytes.toString('base64').slice(1, -1)}`; // 43 characters with a '+'
    assert.equal(isKeyMaterial(unpadded), false, 'unpadded base64');
    assert.equal(isKeyMaterial(`${url.slice(0, 40)}+_A`), false, 'two alphabets');
  });
});

void describe('checkSecret', () => {
  void it('says whether a secret is key material or a passphrase to stretch', () => {
    const key = randomBytes(32);
    assert.equal(checkSecret(key.toString('hex'), 's').kind, 'key');
    assert.equal(checkSecret(key, 's').kind, 'key');
    assert.equal(checkSecret(passphrases[0], 's').kind, 'passphrase');
    assert.equal(
      checkSecret('correct horse battery staple 2024, sessionkit', 's').kind,
      'passphrase',
    );
    assert.deepEqual(
      checkSecret('Käsekuchen mit €uro, 32 Bytes +!', 's').bytes,
      Buffer.from('Käsekuchen mit €uro, 32 Bytes +!'),
    );
  });

  void it('K-02: checks printable bytes as the text they spell, other bytes as keys', () => {
    assert.equal(checkSecret(Buffer.from(passphrases[1]!), 's').kind, 'passphrase');
    assert.equal(
      thrown(() => checkSecret(Buffer.from('a'.repeat(40)), 's')).code,
      'insecure_secret',
    );
    for (const bytes of [
      Buffer.alloc(32),
      Buffer.alloc(40, 0xff),
      new Uint8Array(16),
      Buffer.from(randomBytes(8).toString('hex').repeat(4), 'hex'),
    ]) {
      assert.equal(thrown(() => checkSecret(bytes, 'secrets[0]')).code, 'insecure_secret');
    }
  });

  void it('refuses a value that is neither a string nor bytes, naming only its type (K-07)', () => {
    for (const [value, got] of [
      [null, 'null'],
      [12345678901234, 'number'],
      [['x'.repeat(40)], 'an array'],
      [{ secret: 'x'.repeat(40) }, 'object'],
    ] as const) {
      const error = thrown(() => checkSecret(value, 'secrets[1]'));
      assert.equal(error.code, 'invalid_option');
      assert.match(error.message, new RegExp(`option secrets\\[1\\] is invalid: got ${got},`));
      assert.ok(!error.message.includes('xxxx'));
    }
  });

  void it('K-13: refuses secrets that are mostly sequences or common words, and no random one', () => {
    for (const guessable of [
      'abcdefghijklmnopqrstuvwxyz012345',
      'thisismysupersecretcookiesecretkey',
      'Kit-Example-Secret-Please-Change-Me-123',
      'qwertyuiopasdfghjklzxcvbnm1234567890',
      ...guessablePhrases,
    ]) {
      assert.match(secretWeakness(guessable) ?? '', /mostly common words or runs/, guessable);
    }
    for (let i = 0; i < 2000; i++) {
      assert.equal(secretWeakness(randomBytes(32).toString('base64url')), undefined);
      assert.equal(secretWeakness(randomBytes(32).toString('hex')), undefined);
    }
  });
});
