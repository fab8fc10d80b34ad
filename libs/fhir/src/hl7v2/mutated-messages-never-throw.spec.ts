import { mapHl7v2Message } from './hl7v2-message.mapper';
import { adt, allSamples, INPUT, sample, validationErrors } from './testing/hl7v2-test-messages';

/** A deterministic generator (mulberry32), so a failure here reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOISE = ['|', '^', '~', '\\', '&', '\r', '\n', '"', '', 'X', '9', '\\X41\\', '\\S\\', '\\', '-'];

function mutate(text: string, next: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(next() * 6);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * out.length);
    const length = Math.floor(next() * 12);
    out = out.slice(0, at) + NOISE[Math.floor(next() * NOISE.length)] + out.slice(at + length);
  }
  return out;
}

describe('damaged messages', () => {
  const sources = [
    ...allSamples().map(sample),
    adt({ event: 'A01' }),
    adt({ event: 'A40', extra: ['MRG|K9^^^RCB^MR'] }),
  ];

  it('come back as specific failures or as valid FHIR, never as exceptions', () => {
    const next = random(20261122);
    const codes = new Set<string>();
    const invalidFhir: string[] = [];
    for (const source of sources) {
      for (let i = 0; i < 100; i++) {
        const result = mapHl7v2Message(mutate(source, next), INPUT);
        codes.add(result.ok ? 'ok' : result.code);
        if (!result.ok) expect(result.problems.length).toBeGreaterThan(0);
        else invalidFhir.push(...validationErrors(result.resources));
      }
    }
    expect(invalidFhir.slice(0, 5)).toEqual([]);
    expect([...codes].sort()).toEqual(['hl7-invalid', 'hl7-unparseable', 'hl7-unsupported-event', 'ok']);
  });
});
