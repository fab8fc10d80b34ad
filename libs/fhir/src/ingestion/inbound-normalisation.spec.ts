import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Observation, Patient } from 'fhir/r4';
import { fixturePath } from '@continuum/testing/test-fixtures';
import { IdentifierSystem } from '../identifier-systems';
import { parseInboundMessage } from './inbound-message.parser';
import { normaliseInbound } from './inbound-normaliser';
import { sourceScopedId } from './source-scoped-id';

const SOURCE = 'Y12345:EMIS-Web';
const syntheaDir = fixturePath('synthea-r4-bundles');

function normalise(value: unknown) {
  const parsed = parseInboundMessage(JSON.stringify(value));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return normaliseInbound(parsed.content, SOURCE);
}

describe('parsing inbound FHIR messages', () => {
  it('refuses malformed JSON with the parser error', () => {
    const result = parseInboundMessage('{"resourceType": "Patient",');
    expect(result).toMatchObject({ ok: false, code: 'malformed-json' });
  });

  it('refuses JSON that is not a FHIR resource', () => {
    expect(parseInboundMessage('{"name":"x"}')).toMatchObject({ ok: false, code: 'not-fhir' });
    expect(parseInboundMessage('[1,2]')).toMatchObject({ ok: false, code: 'not-fhir' });
    expect(parseInboundMessage(null)).toMatchObject({ ok: false, code: 'not-fhir' });
  });

  it('refuses bundle types the topic does not take, naming the element', () => {
    const result = parseInboundMessage(JSON.stringify({ resourceType: 'Bundle', type: 'searchset' }));
    expect(result).toMatchObject({ ok: false, code: 'unsupported-bundle' });
    if (!result.ok) expect(result.problems[0].expression).toEqual(['Bundle.type']);
  });

  it('takes a Synthea transaction bundle whole', () => {
    const file = readdirSync(syntheaDir).find((name) => name.endsWith('.json'))!;
    const bundle = JSON.parse(readFileSync(join(syntheaDir, file), 'utf8')) as Bundle;
    const result = parseInboundMessage(JSON.stringify(bundle));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.content.upserts).toHaveLength(bundle.entry!.length);
  });
});

describe('normalising inbound resources', () => {
  it('gives source-scoped ids and rewrites urn:uuid references to them', () => {
    const file = readdirSync(syntheaDir).find((name) => name.endsWith('.json'))!;
    const bundle = JSON.parse(readFileSync(join(syntheaDir, file), 'utf8')) as Bundle;
    const result = normalise(bundle);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const patient = result.content.upserts.find(
      ({ resource }) => resource.resourceType === 'Patient',
    )!.resource;
    const patientFullUrl = bundle.entry!.find(
      (entry) => entry.resource?.resourceType === 'Patient',
    )!.fullUrl!;
    expect(patient.id).toBe(sourceScopedId(SOURCE, 'Patient', patientFullUrl.replace('urn:uuid:', '')));
    const observation = result.content.upserts.find(({ resource }) => resource.resourceType === 'Observation')
      ?.resource as Observation | undefined;
    expect(observation?.subject?.reference).toBe(`Patient/${patient.id}`);
    const serialised = JSON.stringify(result.content.upserts);
    expect(serialised).not.toContain('urn:uuid:');
  });

  it('normalises NHS numbers and legacy NHS systems, and gives local identifiers a system', () => {
    const patient: Patient = {
      resourceType: 'Patient',
      id: 'gp-1',
      meta: { lastUpdated: '2025-01-01T10:00:00Z', versionId: '7' },
      identifier: [
        { system: 'http://fhir.nhs.net/Id/nhs-number', value: '900 000 0009' },
        { value: 'P12345' },
      ],
      generalPractitioner: [
        { identifier: { system: 'http://fhir.nhs.net/Id/ods-organization-code', value: 'y12345' } },
      ],
    };
    const result = normalise(patient);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [stored] = result.content.upserts;
    const normalised = stored.resource as Patient;
    expect(normalised.identifier![0]).toEqual({ system: IdentifierSystem.nhsNumber, value: '9000000009' });
    expect(normalised.identifier![1].system).toBe(
      'https://continuum.example.nhs.uk/Id/y12345-emis-web/identifier',
    );
    expect(normalised.generalPractitioner![0].identifier).toEqual({
      system: IdentifierSystem.odsOrganisationCode,
      value: 'Y12345',
    });
    expect(stored.sourceUpdated).toBe('2025-01-01T10:00:00Z');
    expect(normalised.meta).toBeUndefined(); // version, time and source are the store's to set
    expect(patient.identifier![0].value).toBe('900 000 0009'); // the input is not mutated
  });

  it('refuses an invalid NHS number, saying where and why', () => {
    const result = normalise({
      resourceType: 'Patient',
      identifier: [{ system: IdentifierSystem.nhsNumber, value: '9000000001' }],
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          code: 'value',
          diagnostics: "NHS number '9000000001' fails the modulus 11 check digit",
          expression: ['Patient.identifier[0].value'],
        },
      ],
    });
  });

  it('maps relative references to the same source-scoped ids a separate message would get', () => {
    const result = normalise({
      resourceType: 'Observation',
      id: 'obs-1',
      status: 'final',
      code: { text: 'pulse' },
      subject: { reference: 'Patient/gp-1' },
    });
    expect(result.ok && (result.content.upserts[0].resource as Observation).subject?.reference).toBe(
      `Patient/${sourceScopedId(SOURCE, 'Patient', 'gp-1')}`,
    );
  });

  it('refuses references to entries that are not in the message', () => {
    const result = normalise({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { text: 'x' },
            subject: { reference: 'urn:uuid:missing' },
          },
        },
      ],
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems[0].expression).toEqual(['Bundle.entry[0].resource.subject.reference']);
  });
});

describe('conditional references from source systems', () => {
  it('turns Type?identifier=system|value into a logical reference with a normalised identifier', () => {
    const result = normalise({
      resourceType: 'Encounter',
      id: 'e1',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      serviceProvider: {
        reference: 'Organization?identifier=http://fhir.nhs.net/Id/ods-organization-code|rxx',
      },
    });
    expect(
      result.ok && (result.content.upserts[0].resource as { serviceProvider?: unknown }).serviceProvider,
    ).toEqual({
      type: 'Organization',
      identifier: { system: IdentifierSystem.odsOrganisationCode, value: 'RXX' },
    });
  });

  it('refuses other conditional forms with a reason', () => {
    const result = normalise({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      subject: { reference: 'Patient?name=smith' },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0].diagnostics).toMatch(/Type\?identifier=system\|value/);
  });
});

describe('records keyed by business identifier', () => {
  const encounterEntry = (fullUrl: string) => ({
    fullUrl,
    resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' } },
    request: { method: 'POST', url: 'Encounter', ifNoneExist: 'identifier=https://example.org/enc|E1' },
  });

  it('gives a conditional create the same id in every message, whatever its fullUrl', () => {
    const first = normalise({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [encounterEntry('urn:uuid:1')],
    });
    const second = normalise({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [encounterEntry('urn:uuid:2')],
    });
    expect(first.ok && second.ok).toBe(true);
    if (first.ok && second.ok) {
      expect(first.content.upserts[0].resource.id).toBe(second.content.upserts[0].resource.id);
      expect(first.content.upserts[0].resource.id).toBe(
        sourceScopedId(SOURCE, 'Encounter', 'identifier=https://example.org/enc|E1'),
      );
    }
  });

  it('keys a conditional update by its identifier criteria', () => {
    const result = normalise({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: { resourceType: 'Patient' },
          request: { method: 'PUT', url: 'Patient?identifier=https://example.org/p|42' },
        },
      ],
    });
    expect(result.ok && result.content.upserts[0].resource.id).toBe(
      sourceScopedId(SOURCE, 'Patient', 'identifier=https://example.org/p|42'),
    );
  });
});
