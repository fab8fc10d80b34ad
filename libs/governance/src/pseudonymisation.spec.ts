import { createHash } from 'node:crypto';
import { nhsNumberCheckDigit } from '@continuum/fhir';
import { type KeyRingDocument, PseudonymKeyError, Pseudonymiser, pseudonymKeyFor } from './pseudonymisation';

/** A deterministic secret per name: tests need stable keys, production keys come from a key file. */
const secretFor = (name: string) => createHash('sha256').update(name).digest().toString('base64');

const ring: KeyRingDocument = {
  keys: [
    { keyId: 'icb-2026-1', recipient: 'icb-north-riding', project: 'activity', secret: secretFor('icb-1') },
    { keyId: 'csu-2026-1', recipient: 'csu-analytics', project: 'activity', secret: secretFor('csu-1') },
    { keyId: 'icb-2026-2', recipient: 'icb-north-riding', project: 'activity', secret: secretFor('icb-2') },
  ],
};

const pseudonymiserFor = (recipient: string, keyRing: KeyRingDocument = ring) =>
  new Pseudonymiser(pseudonymKeyFor(keyRing, recipient, 'activity'));

/** `count` distinct valid NHS numbers in the 99 test range, in order. */
function* syntheticNhsNumbers(count: number): Generator<string> {
  let produced = 0;
  for (let firstNine = 990_000_000; produced < count; firstNine++) {
    const check = nhsNumberCheckDigit(String(firstNine));
    if (check === undefined) continue;
    produced++;
    yield `${firstNine}${check}`;
  }
}

describe('pseudonyms of NHS numbers', () => {
  it('are stable for one key, whatever the spacing of the NHS number, across calls and instances', () => {
    const first = pseudonymiserFor('csu-analytics').pseudonymOf('943 476 5919');
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(pseudonymiserFor('csu-analytics').pseudonymOf('9434765919')).toBe(first);
    expect(pseudonymiserFor('csu-analytics').pseudonymOf('943-476-5919')).toBe(first);
  });

  it('give no pseudonym for a missing or invalid NHS number, rather than a pseudonym of garbage', () => {
    const pseudonymiser = pseudonymiserFor('csu-analytics');
    expect(pseudonymiser.pseudonymOf(undefined)).toBeUndefined();
    expect(pseudonymiser.pseudonymOf('9434765918')).toBeUndefined();
    expect(pseudonymiser.pseudonymOf('not a number')).toBeUndefined();
  });

  it('use the newest key of a recipient and project, and refuse an unknown recipient or a short key', () => {
    expect(pseudonymKeyFor(ring, 'icb-north-riding', 'activity').keyId).toBe('icb-2026-2');
    expect(() => pseudonymKeyFor(ring, 'someone-else', 'activity')).toThrow(PseudonymKeyError);
    const short = { keyId: 'short', recipient: 'r', project: 'p', secret: Buffer.alloc(16) };
    expect(() => new Pseudonymiser(short)).toThrow(/16 bytes of secret; at least 32/);
  });

  it('are disjoint between recipients and change entirely when a key rotates, over a million NHS numbers', () => {
    const icb = pseudonymiserFor('icb-north-riding');
    const csu = pseudonymiserFor('csu-analytics');
    const retired = new Pseudonymiser(
      pseudonymKeyFor({ keys: ring.keys.slice(0, 1) }, 'icb-north-riding', 'activity'),
    );
    // 64-bit prefixes: no collision among prefixes means none among the full pseudonyms.
    const icbPseudonyms = new Set<string>();
    const csuPseudonyms = new Set<string>();
    let count = 0;
    let unchangedByRotation = 0;
    for (const nhsNumber of syntheticNhsNumbers(1_000_000)) {
      const current = icb.pseudonymOf(nhsNumber)!;
      icbPseudonyms.add(current.slice(0, 16));
      csuPseudonyms.add(csu.pseudonymOf(nhsNumber)!.slice(0, 16));
      if (retired.pseudonymOf(nhsNumber) === current) unchangedByRotation++;
      count++;
    }
    expect(count).toBe(1_000_000);
    expect(icbPseudonyms.size).toBe(count);
    expect(csuPseudonyms.size).toBe(count);
    let shared = 0;
    for (const pseudonym of icbPseudonyms) if (csuPseudonyms.has(pseudonym)) shared++;
    expect(shared).toBe(0);
    expect(unchangedByRotation).toBe(0);
  }, 120_000);
});
