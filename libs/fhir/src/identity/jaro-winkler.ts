/**
 * Jaro (1989) and Jaro–Winkler (Winkler 1990) string similarity, written here rather than taken from npm: it is
 * forty lines, and the matcher calls it millions of times, so it must not allocate. The match flags live in two
 * module-level buffers that grow only for a longer string than any seen before.
 *
 * Definitions as in Winkler's "String comparator metrics and enhanced decision rules in the Fellegi-Sunter model
 * of record linkage" (1990): characters match when equal and no further apart than ⌊max(|a|,|b|)/2⌋ − 1;
 * t is half the matched characters out of order; Jaro = (m/|a| + m/|b| + (m − t)/m) / 3; Jaro–Winkler adds
 * ℓ·p·(1 − Jaro) for a common prefix of ℓ ≤ 4 characters, p = 0.1. Case-sensitive: pass folded names.
 */

let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);

export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  if (la > flagsA.length) flagsA = new Uint8Array(la * 2);
  if (lb > flagsB.length) flagsB = new Uint8Array(lb * 2);
  flagsA.fill(0, 0, la);
  flagsB.fill(0, 0, lb);
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(lb - 1, i + window);
    const code = a.charCodeAt(i);
    for (let j = from; j <= to; j++) {
      if (flagsB[j] === 0 && b.charCodeAt(j) === code) {
        flagsA[i] = 1;
        flagsB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let outOfOrder = 0;
  for (let i = 0, k = 0; i < la; i++) {
    if (flagsA[i] === 0) continue;
    while (flagsB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) outOfOrder++;
    k++;
  }
  const transpositions = outOfOrder / 2;
  return (matches / la + matches / lb + (matches - transpositions) / matches) / 3;
}

export function jaroWinkler(a: string, b: string, prefixScale = 0.1): number {
  const similarity = jaro(a, b);
  const limit = Math.min(4, a.length, b.length);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return similarity + prefix * prefixScale * (1 - similarity);
}
