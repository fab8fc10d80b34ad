import type { Bundle, FhirResource } from 'fhir/r4';
import { Hl7Message } from '@medplum/core';
import { findProblems, isValidNhsNumber } from '@continuum/fhir';
import { CommunityGenerator } from './community.generator';
import type { PersonOutput } from './output/output.model';

/** A small community, generated once: 40 people is enough to see every source and most record kinds. */
const generator = new CommunityGenerator({ seed: 'spec-community' });
const people: PersonOutput[] = Array.from({ length: 40 }, (_, i) => generator.person(i));
const truth = people.map((p) => JSON.parse(p.truth) as { nhsNumber: string; sources: Array<{ source: string; localId: string; noise: string[] }> });

describe('a small generated community', () => {
  it('has every kind of source, and sources that know the same people', () => {
    const kinds = new Set(truth.flatMap((t) => t.sources.map((s) => s.source.split(':')[1])));
    expect([...kinds]).toEqual(expect.arrayContaining(['PAS', 'RiO', 'Adastra', 'EMIS-Web', 'SystmOne']));
    const inSeveral = truth.filter((t) => t.sources.length >= 2);
    expect(inSeveral.length).toBeGreaterThan(people.length / 2);
    const gpAndHospital = truth.filter((t) => t.sources.some((s) => s.source.endsWith(':PAS')) && t.sources.some((s) => /EMIS-Web|SystmOne/.test(s.source)));
    expect(gpAndHospital.length).toBeGreaterThan(5);
  });

  it('gives every person a valid test-range NHS number and each source its own local id', () => {
    for (const t of truth) {
      expect(t.nhsNumber).toMatch(/^999/);
      expect(isValidNhsNumber(t.nhsNumber)).toBe(true);
      const ids = t.sources.map((s) => `${s.source}|${s.localId}`);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('puts data-quality noise only on non-GP records', () => {
    const noisy = new CommunityGenerator({ seed: 'spec-community', noiseShare: 1 });
    const views = Array.from({ length: 10 }, (_, i) => JSON.parse(noisy.person(i).truth) as (typeof truth)[number]).flatMap((t) => t.sources);
    expect(views.filter((v) => /EMIS-Web|SystmOne/.test(v.source)).every((v) => v.noise.length === 0)).toBe(true);
    expect(views.filter((v) => !/EMIS-Web|SystmOne/.test(v.source)).some((v) => v.noise.length > 0)).toBe(true);
  });

  it('emits only resources the store accepts (libs/fhir validation)', () => {
    // Every kind of record from every person, three of each kind per person: the full set takes minutes.
    const sample = people.flatMap((p) => {
      const seen = new Map<string, number>();
      return p.resources.filter((r) => {
        const n = seen.get(r.resourceType) ?? 0;
        seen.set(r.resourceType, n + 1);
        return n < 3;
      });
    });
    const resources = [...generator.directory().resources, ...sample].map((r) => JSON.parse(r.json) as FhirResource);
    const errors = resources.flatMap((r) =>
      findProblems(r)
        .filter((p) => (p.severity ?? 'error') === 'error')
        .map((p) => `${r.resourceType}/${r.id}: ${p.diagnostics} at ${p.expression?.join(',')}`),
    );
    expect(errors.slice(0, 10)).toEqual([]);
    expect(new Set(resources.map((r) => r.resourceType)).size).toBeGreaterThanOrEqual(14);
  });

  it('sends Kafka records keyed by NHS number or source-local id, with the three headers', () => {
    const messages = people.flatMap((p) => p.messages);
    expect(messages.length).toBeGreaterThan(100);
    for (const m of messages) {
      expect(m.key === m.key.trim() && m.key.length > 0).toBe(true);
      expect(isValidNhsNumber(m.key) || /^[A-Z0-9]+:[A-Za-z-]+:\w+$/.test(m.key)).toBe(true);
      expect(m.headers['source-system']).toMatch(/^[A-Z0-9]+:[A-Za-z-]+$/);
      expect(['application/fhir+json', 'x-application/hl7-v2+er7']).toContain(m.headers['content-type']);
    }
    const ids = messages.map((m) => `${m.headers['source-system']}|${m.headers['message-id']}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sends FHIR sources\' messages as transaction Bundles that reference the patient conditionally', () => {
    const fhir = people.flatMap((p) => p.messages).filter((m) => m.headers['content-type'] === 'application/fhir+json');
    for (const m of fhir.slice(0, 200)) {
      const bundle = JSON.parse(m.value) as Bundle;
      expect(bundle.type).toBe('transaction');
      for (const entry of bundle.entry ?? []) expect(entry.resource?.id).toBeUndefined();
    }
    expect(fhir.some((m) => m.value.includes('"reference":"Patient?identifier='))).toBe(true);
  });

  it('sends HL7 v2 messages that parse, in the NHS ITK style, with CR separators', () => {
    const hl7 = people.flatMap((p) => p.messages).filter((m) => m.headers['content-type'] === 'x-application/hl7-v2+er7');
    const types = new Set<string>();
    expect(hl7.length).toBeGreaterThan(20);
    for (const m of hl7) {
      expect(m.value).not.toContain('\n');
      const parsed = Hl7Message.parse(m.value);
      const type = parsed.getSegment('MSH')?.getField(9)?.toString() ?? '';
      types.add(type.split('^').slice(0, 2).join('^'));
      expect(parsed.getSegment('MSH')?.getField(12)?.toString()).toBe('2.4');
      expect(parsed.getSegment('MSH')?.getField(10)?.toString()).toBe(m.headers['message-id']);
      const pid3 = parsed.getSegment('PID')?.getField(3)?.toString() ?? '';
      if (isValidNhsNumber(m.key)) expect(pid3).toContain(`${m.key}^^^NHS^NH`);
      expect(pid3).toMatch(/\^\^\^RXX\^MR/);
      if (type.startsWith('ORU')) {
        const obx = parsed.getAllSegments('OBX');
        expect(obx.length).toBeGreaterThan(0);
        expect(obx[0].getField(6)?.toString()).toMatch(/\^UCUM$/);
        expect(['H', 'L', 'N']).toContain(obx[0].getField(8)?.toString());
      }
    }
    expect([...types]).toEqual(expect.arrayContaining(['ADT^A01', 'ADT^A03', 'ADT^A04', 'ORU^R01']));
  });

  it('is the same person whatever else is generated: output depends on (seed, index) only', () => {
    const again = new CommunityGenerator({ seed: 'spec-community' });
    expect(again.person(17)).toEqual(people[17]);
    const other = new CommunityGenerator({ seed: 'spec-community-2' });
    expect(other.person(17).truth).not.toEqual(people[17].truth);
  });
});
