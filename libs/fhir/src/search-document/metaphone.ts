import { foldText } from '../search/fold-text';

const VOWELS = 'AEIOU';
const isVowel = (letter: string) => letter !== '' && VOWELS.includes(letter);
const FRONT_VOWELS = (letter: string) => letter !== '' && 'EIY'.includes(letter);

/**
 * Lawrence Philips' original Metaphone (1990): a phonetic key for one word, so that names that sound alike share
 * a key ("Smith"/"Smyth" → SM0, "Catherine"/"Kathryn" → K0RN, "Stephen"/"Steven" → STFN). Elasticsearch here has
 * no phonetic plugin, so keys are computed in the application and indexed as keywords. Input is folded first
 * (accents and case), and anything but the letters A-Z is ignored.
 */
export function metaphone(word: string): string {
  let w = foldText(word)
    .toUpperCase()
    .replace(/[^A-Z]/g, '');
  if (!w) return '';
  w = w.replace(/([A-BD-Z])\1+/g, '$1'); // adjacent duplicates count once, except C (ACCENT → AKSNT)
  if (/^(KN|GN|PN|AE|WR)/.test(w)) w = w.slice(1);
  if (w.startsWith('X')) w = `S${w.slice(1)}`;
  if (w.startsWith('WH')) w = `W${w.slice(2)}`;
  w = w.replace(/MB$/, 'M');

  const at = (i: number) => w[i] ?? '';
  let key = '';
  for (let i = 0; i < w.length; i++) {
    const [prev, letter, next, afterNext] = [at(i - 1), w[i], at(i + 1), at(i + 2)];
    switch (letter) {
      case 'A':
      case 'E':
      case 'I':
      case 'O':
      case 'U':
        if (i === 0) key += letter;
        break;
      case 'C':
        if (next === 'I' && afterNext === 'A') key += 'X';
        else if (next === 'H') {
          key += prev === 'S' ? 'K' : 'X';
          i++;
        } else if (FRONT_VOWELS(next)) key += prev === 'S' ? '' : 'S';
        else if (next !== 'K') key += 'K'; // CK: the K speaks
        break;
      case 'D':
        if (next === 'G' && FRONT_VOWELS(afterNext)) {
          key += 'J';
          i++;
        } else key += 'T';
        break;
      case 'G':
        if (next === 'H' && afterNext !== '' && !isVowel(afterNext)) break; // NIGHT
        if (next === 'N' && (i + 2 === w.length || w.slice(i + 2) === 'ED')) break; // SIGN, SIGNED
        key += FRONT_VOWELS(next) ? 'J' : 'K';
        if (next === 'H') i++;
        break;
      case 'H':
        if (isVowel(next) && !'CGPST'.includes(prev || '-')) key += 'H';
        break;
      case 'P':
        if (next === 'H') {
          key += 'F';
          i++;
        } else key += 'P';
        break;
      case 'Q':
        key += 'K';
        break;
      case 'S':
        if (next === 'H') {
          key += 'X';
          i++;
        } else key += next === 'I' && (afterNext === 'O' || afterNext === 'A') ? 'X' : 'S';
        break;
      case 'T':
        if (next === 'I' && (afterNext === 'O' || afterNext === 'A')) key += 'X';
        else if (next === 'H') {
          key += '0';
          i++;
        } else if (!(next === 'C' && afterNext === 'H')) key += 'T';
        break;
      case 'V':
        key += 'F';
        break;
      case 'W':
      case 'Y':
        if (isVowel(next)) key += letter;
        break;
      case 'X':
        key += 'KS';
        break;
      case 'Z':
        key += 'S';
        break;
      default: // B F J K L M N R keep their sound
        key += letter;
    }
  }
  return key;
}
