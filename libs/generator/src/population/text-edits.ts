import type { Random } from '../random/random';

/** Letters NFD does not decompose, folded as ASCII-only systems write them. */
const SPECIAL_FOLDS: Record<string, string> = { Ł: 'L', ł: 'l', ı: 'i', Ø: 'O', ø: 'o', Đ: 'D', đ: 'd', ß: 'ss', Æ: 'AE', æ: 'ae' };
const SPECIAL = /[ŁłıØøĐđßÆæ]/g;
const COMBINING = /[\u0300-\u036f]/g;
const APOSTROPHES = /['’]/g;
const PLAIN = /^[A-Za-z -]*$/;

/** The name as an ASCII-only system stores it: accents and apostrophes gone (Łukasz → Lukasz, O'Brien → OBrien). */
export function dropDiacritics(text: string): string {
  if (PLAIN.test(text)) return text;
  return text.normalize('NFD').replace(COMBINING, '').replace(SPECIAL, (c) => SPECIAL_FOLDS[c]).replace(APOSTROPHES, '');
}

/** Keys next to each other on a QWERTY keyboard: what a slipped finger types instead. */
const NEIGHBOURS: Record<string, string> = {
  a: 'qwsz', b: 'vghn', c: 'xdfv', d: 'serfcx', e: 'wsdr', f: 'drtgvc', g: 'ftyhbv', h: 'gyujnb', i: 'ujko', j: 'huikmn',
  k: 'jiolm', l: 'kop', m: 'njk', n: 'bhjm', o: 'iklp', p: 'ol', q: 'wa', r: 'edft', s: 'awedxz', t: 'rfgy', u: 'yhji',
  v: 'cfgb', w: 'qase', x: 'zsdc', y: 'tghu', z: 'asx',
};

export type TypoKind = 'substitution' | 'insertion' | 'deletion' | 'transposition';
const TYPO_KINDS: TypoKind[] = ['substitution', 'insertion', 'deletion', 'transposition'];

/**
 * One keying error in a name: a neighbouring key instead of a letter, an extra letter (a neighbour or the letter
 * doubled), a letter left out, or two adjacent letters swapped. Only letters are touched, the result always
 * differs from the input, and each position keeps its case (a swap at the start of "Ng" gives "Gn").
 */
export function typo(name: string, rng: Random): string {
  const letters: number[] = [];
  for (let i = 0; i < name.length; i++) if (NEIGHBOURS[name[i].toLowerCase()]) letters.push(i);
  if (letters.length === 0) return `${name}${name}`;
  const first = rng.int(0, TYPO_KINDS.length - 1);
  for (let k = 0; k < TYPO_KINDS.length; k++) {
    const edited = edit(name, letters, TYPO_KINDS[(first + k) % TYPO_KINDS.length], rng);
    if (edited !== undefined && edited !== name) return edited;
  }
  // every edit was refused (a one-letter name of repeated letters): double the last letter
  return name + name[name.length - 1].toLowerCase();
}

function edit(name: string, letters: number[], kind: TypoKind, rng: Random): string | undefined {
  // first letters are typed with more care: three in four errors fall after the first letter
  const pickFrom = letters.length > 1 && rng.chance(0.75) ? letters.slice(1) : letters;
  const at = rng.pick(pickFrom);
  const lower = name[at].toLowerCase();
  switch (kind) {
    case 'substitution':
      return withCase(name, at, rng.pick([...NEIGHBOURS[lower]]));
    case 'insertion': {
      const extra = rng.chance(0.5) ? lower : rng.pick([...NEIGHBOURS[lower]]);
      return name.slice(0, at + 1) + extra + name.slice(at + 1);
    }
    case 'deletion':
      if (letters.length < 3) return undefined;
      if (at > 0) return name.slice(0, at) + name.slice(at + 1);
      return (name[0] === name[0].toUpperCase() ? name[1].toUpperCase() : name[1]) + name.slice(2);
    case 'transposition': {
      const next = at + 1 < name.length && NEIGHBOURS[name[at + 1].toLowerCase()] ? at + 1 : at - 1;
      if (next < 0 || !NEIGHBOURS[name[next].toLowerCase()]) return undefined;
      const [i, j] = next > at ? [at, next] : [next, at];
      if (name[i].toLowerCase() === name[j].toLowerCase()) return undefined;
      return withCase(withCase(name, i, name[j].toLowerCase()), j, name[i].toLowerCase());
    }
  }
}

/** `name` with the letter at `at` replaced by `letter`, in the case the position had. */
function withCase(name: string, at: number, letter: string): string {
  const upper = name[at] !== name[at].toLowerCase();
  return name.slice(0, at) + (upper ? letter.toUpperCase() : letter) + name.slice(at + 1);
}

/** The name with a known accented spelling for it or one of its words (Nguyen → Nguyễn), or undefined. */
export function addDiacritics(name: string, accented: ReadonlyMap<string, string>): string | undefined {
  const whole = accented.get(name);
  if (whole !== undefined) return whole;
  if (!name.includes(' ') && !name.includes('-')) return undefined;
  const words = name.split(/([ -])/);
  let changed = false;
  const out = words.map((w) => {
    const a = accented.get(w);
    if (a) changed = true;
    return a ?? w;
  });
  return changed ? out.join('') : undefined;
}
