import { FhirError } from '../operation-outcome';
import { parseSearchRequest } from './search-request.parser';
import type { SearchFilter } from './search-request.types';

const parse = (type: string | undefined, query: string, strict = false) =>
  parseSearchRequest(type, new URLSearchParams(query), { strict, baseUrl: 'https://fhir.example.nhs.uk/R4' });
const filters = (type: string, query: string): SearchFilter[] => parse(type, query).filters;
const refused = (type: string | undefined, query: string, strict = false) => {
  try {
    parse(type, query, strict);
  } catch (error: unknown) {
    return error instanceof FhirError ? error.status : error;
  }
  return 'accepted';
};

describe('parseSearchRequest', () => {
  it('parses strings with :exact and :contains, OR lists and repeated AND', () => {
    expect(filters('Patient', 'name=zoe,ann&name:exact=Zoë&family:contains=ans')).toEqual([
      {
        kind: 'param',
        code: 'name',
        type: 'string',
        values: [
          { type: 'string', text: 'zoe' },
          { type: 'string', text: 'ann' },
        ],
      },
      {
        kind: 'param',
        code: 'name',
        type: 'string',
        modifier: 'exact',
        values: [{ type: 'string', text: 'Zoë' }],
      },
      {
        kind: 'param',
        code: 'family',
        type: 'string',
        modifier: 'contains',
        values: [{ type: 'string', text: 'ans' }],
      },
    ]);
  });

  it('parses the token forms code, system|code, |code and system|', () => {
    expect(
      filters('Observation', 'code=1234,http://loinc.org|8480-6,|local,http://snomed.info/sct|')[0],
    ).toMatchObject({
      values: [
        { type: 'token', code: '1234' },
        { type: 'token', system: 'http://loinc.org', code: '8480-6' },
        { type: 'token', system: null, code: 'local' },
        { type: 'token', system: 'http://snomed.info/sct', code: undefined },
      ],
    });
  });

  it('maps token :text, :not, :of-type and reference :identifier to the rows that serve them', () => {
    expect(filters('Observation', 'code:text=glucose')[0]).toMatchObject({
      code: 'code:text',
      type: 'string',
    });
    expect(filters('Observation', 'status:not=final')[0]).toMatchObject({ code: 'status', modifier: 'not' });
    expect(
      filters('Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|123')[0],
    ).toEqual({
      kind: 'param',
      code: 'identifier:of-type',
      type: 'token',
      values: [{ type: 'token', system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR|123' }],
    });
    expect(
      filters('Observation', 'subject:identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919')[0],
    ).toMatchObject({
      code: 'subject:identifier',
      type: 'token',
      values: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', code: '9434765919' }],
    });
  });

  it('parses :missing on any type', () => {
    expect(filters('Patient', 'birthdate:missing=true')[0]).toMatchObject({
      values: [{ type: 'missing', missing: true }],
    });
    expect(refused('Patient', 'birthdate:missing=maybe')).toBe(400);
  });

  it('parses every prefix of dates, numbers and quantities', () => {
    for (const prefix of ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']) {
      expect(filters('Observation', `date=${prefix}2020-03`)[0]).toMatchObject({
        values: [{ type: 'date', prefix, start: Date.UTC(2020, 2, 1), end: Date.UTC(2020, 3, 1) }],
      });
      expect(filters('RiskAssessment', `probability=${prefix}0.5`)[0]).toMatchObject({
        values: [{ type: 'number', prefix, value: '0.5', low: '0.45', high: '0.55' }],
      });
    }
    expect(filters('Observation', 'date=2020')[0]).toMatchObject({ values: [{ prefix: 'eq' }] });
  });

  it('parses quantities with system and code, with a unit only, and bare numbers', () => {
    expect(
      filters('Observation', 'value-quantity=5.4|http://unitsofmeasure.org|mg,gt5.4||mg,100')[0],
    ).toMatchObject({
      values: [
        { type: 'quantity', prefix: 'eq', value: '5.4', system: 'http://unitsofmeasure.org', unit: 'mg' },
        { type: 'quantity', prefix: 'gt', value: '5.4', system: undefined, unit: 'mg' },
        {
          type: 'quantity',
          prefix: 'eq',
          value: '100',
          low: '99.5',
          high: '100.5',
          system: undefined,
          unit: undefined,
        },
      ],
    });
  });

  it('parses references by Type/id, bare id, typed modifier, our base URL and foreign URLs', () => {
    const values = (query: string) => (filters('Observation', query)[0] as { values: unknown[] }).values;
    expect(values('subject=Patient/123')).toEqual([
      { type: 'reference', resourceType: 'Patient', id: '123' },
    ]);
    expect(values('patient=123')).toEqual([{ type: 'reference', resourceType: 'Patient', id: '123' }]);
    expect(values('subject=123')).toEqual([{ type: 'reference', resourceType: undefined, id: '123' }]);
    expect(values('subject:Group=123')).toEqual([{ type: 'reference', resourceType: 'Group', id: '123' }]);
    expect(values('subject=https://fhir.example.nhs.uk/R4/Patient/123')).toEqual([
      { type: 'reference', resourceType: 'Patient', id: '123' },
    ]);
    expect(values('subject=https://other.org/fhir/Patient/123')).toEqual([
      { type: 'reference', resourceType: undefined, id: 'https://other.org/fhir/Patient/123' },
    ]);
  });

  it('parses :person on references to a Patient (the person’s records), and refuses it elsewhere', () => {
    expect(filters('Observation', 'patient:person=Patient/123,456')[0]).toEqual({
      kind: 'param',
      code: 'patient',
      type: 'reference',
      modifier: 'person',
      values: [
        { type: 'reference', resourceType: 'Patient', id: '123' },
        { type: 'reference', resourceType: 'Patient', id: '456' },
      ],
    });
    expect(filters('Observation', 'subject:person=123')[0]).toMatchObject({ modifier: 'person' });
    expect(filters('Observation', 'patient=123')[0]).not.toHaveProperty('modifier');
    expect(() => filters('Observation', 'subject:person=Group/1')).toThrow(/Patient references/);
    expect(() => filters('Observation', 'performer:person=Patient/1')).not.toThrow();
    expect(() => filters('Observation', 'based-on:person=1')).toThrow(/cannot point at one/);
    expect(() => filters('Observation', 'code:person=1')).toThrow(/not supported/);
  });

  it('parses uri :above and :below, composites with $', () => {
    expect(filters('ValueSet', 'url:below=http://acme.org/fhir')[0]).toMatchObject({ modifier: 'below' });
    expect(filters('ValueSet', 'url:above=http://acme.org/fhir/ValueSet/1')[0]).toMatchObject({
      modifier: 'above',
    });
    expect(filters('Observation', 'code-value-quantity=http://loinc.org|8480-6$gt140')[0]).toEqual({
      kind: 'param',
      code: 'code-value-quantity',
      type: 'composite',
      values: [
        {
          type: 'composite',
          first: { type: 'token', system: 'http://loinc.org', code: '8480-6' },
          second: expect.objectContaining({ type: 'quantity', prefix: 'gt', value: '140' }),
        },
      ],
    });
  });

  it('unescapes \\, \\| and \\$ and does not split on them', () => {
    expect(filters('Patient', 'identifier=urn:x|a\\,b\\|c\\$d,e')[0]).toMatchObject({
      values: [
        { type: 'token', system: 'urn:x', code: 'a,b|c$d' },
        { type: 'token', code: 'e' },
      ],
    });
    expect(filters('Patient', 'name=O\\,Brien')[0]).toMatchObject({ values: [{ text: 'O,Brien' }] });
  });

  it('parses chains (typed, untyped, several levels) and _has (nested)', () => {
    expect(filters('Observation', 'subject:Patient.identifier=urn:x|1')[0]).toEqual({
      kind: 'chain',
      code: 'subject',
      targetTypes: ['Patient'],
      filter: {
        kind: 'param',
        code: 'identifier',
        type: 'token',
        values: [{ type: 'token', system: 'urn:x', code: '1' }],
      },
    });
    // Only targets that define the chained parameter: Observation.subject may be Group, Device, Patient, Location.
    expect(filters('Observation', 'subject.name=peter')[0]).toMatchObject({
      kind: 'chain',
      targetTypes: ['Patient', 'Location'],
    });
    expect(filters('Observation', 'encounter.service-provider.name=trust')[0]).toMatchObject({
      kind: 'chain',
      filter: { kind: 'chain', code: 'service-provider', filter: { kind: 'param', code: 'name' } },
    });
    expect(filters('Patient', '_has:Observation:patient:_has:AuditEvent:entity:type=rest')[0]).toMatchObject({
      kind: 'has',
      sourceType: 'Observation',
      referenceCode: 'patient',
      filter: { kind: 'has', sourceType: 'AuditEvent', referenceCode: 'entity', filter: { code: 'type' } },
    });
    expect(refused('Observation', 'status.name=x')).toBe(400);
  });

  it('parses result parameters', () => {
    const request = parse(
      'Observation',
      '_sort=-date,code,_id&_count=50&_total=estimate&_summary=data&_elements=code,value&_include=Observation:subject:Patient&_include:iterate=Patient:general-practitioner&_revinclude=Provenance:target',
    );
    expect(request).toMatchObject({
      sort: [
        { code: 'date', type: 'date', descending: true },
        { code: 'code', type: 'token', descending: false },
        { code: '_id', descending: false },
      ],
      count: 50,
      total: 'estimate',
      summary: 'data',
      elements: ['code', 'value'],
      includes: [
        { sourceType: 'Observation', code: 'subject', targetType: 'Patient', iterate: false },
        { sourceType: 'Patient', code: 'general-practitioner', iterate: true },
      ],
      revincludes: [{ sourceType: 'Provenance', code: 'target', iterate: false }],
    });
    expect(parse('Patient', '_count=100000').count).toBe(1000);
    expect(parse('Patient', '').count).toBe(20);
  });

  it('ignores and reports unknown or unsupported parameters, or refuses them when strict', () => {
    const request = parse('Patient', 'foo=1&_text=x&name=a&_include=*');
    expect(request.filters).toHaveLength(1);
    expect(request.outcome?.issue.map((issue) => [issue.severity, issue.code, issue.expression])).toEqual([
      ['warning', 'not-supported', ['foo']],
      ['warning', 'not-supported', ['_text']],
      ['warning', 'not-supported', ['_include']],
    ]);
    expect(refused('Patient', 'foo=1', true)).toBe(400);
    expect(refused('Patient', 'name=a', true)).toBe('accepted');
  });

  it('always refuses malformed values and unsupported modifiers', () => {
    for (const query of [
      'birthdate=yesterday',
      'name:below=x',
      'gender:exact=male',
      '_count=-1',
      '_total=maybe',
    ]) {
      expect([query, refused('Patient', query)]).toEqual([query, 400]);
    }
    expect(refused('Observation', '_sort=code-value-quantity')).toBe(400);
    expect(refused('Nonsense', 'a=b')).toBe(400);
  });

  it('accepts system-level search on common parameters, restricted by _type', () => {
    expect(parse(undefined, '_type=Patient,Observation&_lastUpdated=gt2020')).toMatchObject({
      types: ['Patient', 'Observation'],
      filters: [{ code: '_lastUpdated' }],
    });
    expect(parse(undefined, '_type=Patient,Observation&identifier=1').filters).toHaveLength(1);
    expect(parse(undefined, 'name=x').outcome?.issue).toHaveLength(1);
  });
});
