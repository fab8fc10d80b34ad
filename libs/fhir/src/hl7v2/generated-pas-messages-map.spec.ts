import { CommunityGenerator } from '@continuum/generator';
import { mapHl7v2Message } from './hl7v2-message.mapper';
import type { Hl7MappingSuccess } from './hl7v2.types';
import { validationErrors } from './testing/hl7v2-test-messages';

/** The synthetic community's PAS feed (libs/generator, HL7 v2.4 in the NHS ITK style) maps cleanly. */
const generator = new CommunityGenerator({ seed: 'hl7v2-mapping-spec', formats: ['kafka'] });
const messages = Array.from({ length: 15 }, (_, index) => generator.person(index).messages)
  .flat()
  .filter((record) => record.headers['content-type'] === 'x-application/hl7-v2+er7')
  .sort((a, b) => a.at - b.at);

const mapped = messages.map((record) => ({
  record,
  result: mapHl7v2Message(record.value, {
    sourceSystem: record.headers['source-system'],
    receivedAt: new Date(record.at).toISOString(),
  }),
}));
const successes = mapped.flatMap(({ result }) => (result.ok ? [result] : []));

describe('generated PAS messages', () => {
  it('are numerous and of the events the feed sends', () => {
    expect(messages.length).toBeGreaterThan(20);
    expect([...new Set(successes.map((result) => result.event))]).toEqual(
      expect.arrayContaining(['ADT^A01', 'ADT^A03', 'ADT^A04', 'ORU^R01']),
    );
  });

  it('all map, with the message id of the Kafka header', () => {
    const failures = mapped
      .filter(({ result }) => !result.ok)
      .map(({ record, result }) => ({ id: record.headers['message-id'], result }));
    expect(failures).toEqual([]);
    for (const { record, result } of mapped)
      if (result.ok) expect(result.messageId).toBe(record.headers['message-id']);
  });

  it('map to valid FHIR R4', () => {
    // the last version of each resource is what the store keeps; validating each once keeps the spec quick
    const latest = new Map(
      successes
        .flatMap((result) => result.resources)
        .map((resource) => [`${resource.resourceType}/${resource.id}`, resource]),
    );
    expect(validationErrors([...latest.values()]).slice(0, 10)).toEqual([]);
  });

  it('keep one Encounter per visit across its admit, transfer, update and discharge', () => {
    const byVisit = new Map<string, Set<string>>();
    for (const result of successes.filter((candidate: Hl7MappingSuccess) =>
      candidate.event.startsWith('ADT'),
    )) {
      for (const resource of result.resources) {
        if (resource.resourceType !== 'Encounter') continue;
        const visit = resource.identifier?.[0]?.value ?? '';
        byVisit.set(visit, (byVisit.get(visit) ?? new Set()).add(resource.id ?? ''));
      }
    }
    expect(byVisit.size).toBeGreaterThan(0);
    for (const ids of byVisit.values()) expect(ids.size).toBe(1);
  });
});
