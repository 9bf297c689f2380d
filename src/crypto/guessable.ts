/**
 * How much of a secret a guesser would try first: runs of consecutive letters, digits or
 * keyboard keys (`abcdef…`, `123456`, `qwerty`), and common words (`thisismysupersecret…`,
 * `Kit-Example-Secret-Please-Change-Me-123`). Such secrets are long enough to pass a length
 * check and carry a small fraction of the entropy their length suggests.
 */

/** Common English words and the words secrets are made of; lower case, three letters or more. */
const words = new Set(
  `the and for are but not you all any can her was one our out day get has him his how man new
  now old see two way who boy did its let put say she too use able about above after again
  against also another answer away back base because been before being below best better
  between big black blue body book both bring build business call came can't case change
  check child city class close code come company complete cookie could country course cut
  dark data demo deploy dev development different does dog done door down draw during each
  early earth east easy end enough even ever every example eye face fact fall family far fast
  father feel few field final find fine fire first fish five follow food foot form found four
  free friend from front full game gave general girl give going gold good great green ground
  group grow hand happy hard have head hear heart help here high hold home horse hour house
  important into just keep key keys kind king kit know land large last late learn leave left
  less letter life light like line list little live local long look love made main make many
  mark master may mean men might mind money more morning most mother move much music must
  my name near need never next night north nothing number off often once only open order
  other over own page paper part pass password people place plan play please point power
  private prod production public question quick ran reach read ready real really red remember
  rest right river road rock room round run said same school sea second secret secure see seem
  self sentence server service session set several should show side simple since sing size
  small some something sound south space special stand star start state still stop story
  strong study such sun super sure system table take talk tell test than that their them then
  there these they thing think this those thought three through time today together told token
  took top toward town tree true try turn under until upon user very voice wait walk want war
  warm watch water weak week well went were west what when where which while white whole why
  will wind with without woman word words work world would write year yes yet young your
  admin app apple banana cat change changeme default dragon example letmein login monkey
  passphrase qwerty replace sample shadow sunshine welcome trustno`
    .split(/\s+/)
    .filter((word) => word.length >= 3),
);

/** Two-letter words that glue phrases together (`this is my …`). */
const shortWords = new Set([
  'is',
  'my',
  'me',
  'it',
  'of',
  'to',
  'in',
  'on',
  'at',
  'be',
  'we',
  'an',
  'or',
  'so',
  'no',
  'do',
  'go',
  'up',
  'us',
  'by',
  'if',
  'as',
  'am',
  'he',
  'hi',
  'ok',
]);

const longestWord = Math.max(...[...words].map((word) => word.length));

/** Rows of a US keyboard, for runs such as `qwerty` or `asdf`. */
const keyboardRows = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

/** True when `b` follows `a` (or precedes it) in the alphabet, the digits or a keyboard row. */
function adjacent(a: string, b: string): boolean {
  const diff = b.charCodeAt(0) - a.charCodeAt(0);
  if ((diff === 1 || diff === -1) && /[a-z0-9]/.test(a) && /[a-z0-9]/.test(b)) return true;
  for (const row of keyboardRows) {
    const i = row.indexOf(a);
    if (i !== -1 && (row[i + 1] === b || row[i - 1] === b)) return true;
  }
  return false;
}

/**
 * The share, from 0 to 1, of a secret's letters and digits that lie in common words (found by
 * the segmentation that covers most) or in runs of three or more consecutive characters.
 */
export function guessableShare(secret: string): number {
  const text = secret.toLowerCase().replace(/[^a-z0-9]/g, '');
  const n = text.length;
  if (n === 0) return 0;
  const covered = new Uint8Array(n);
  // Runs of adjacent characters, three or more long.
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && adjacent(text[i - 1]!, text[i]!)) continue;
    if (i - start >= 3) covered.fill(1, start, i);
    start = i;
  }
  // The segmentation into words and single characters that covers the most characters.
  const best = new Int32Array(n + 1);
  const from = new Int32Array(n + 1).fill(-1);
  for (let i = 1; i <= n; i++) {
    best[i] = best[i - 1]!;
    for (let length = 2; length <= Math.min(longestWord, i); length++) {
      const word = text.slice(i - length, i);
      if (!(length === 2 ? shortWords.has(word) : words.has(word))) continue;
      if (best[i - length]! + length > best[i]!) {
        best[i] = best[i - length]! + length;
        from[i] = i - length;
      }
    }
  }
  for (let i = n; i > 0;) {
    const wordStart = from[i]!;
    if (wordStart === -1 || best[i] === best[i - 1]) {
      i--;
      continue;
    }
    covered.fill(1, wordStart, i);
    i = wordStart;
  }
  let count = 0;
  for (const flag of covered) count += flag;
  return count / n;
}
