import type {
  Encounter,
  Observation,
  Patient,
  Questionnaire,
  QuestionnaireResponse,
  Resource,
} from 'fhir/r4';
import { extractIndexRows } from './index-rows.extractor';
import { officialExample, officialExamples, syntheaBundleFiles, syntheaResources } from './testing/test-data';

const codes = (rows: { code: string }[]) => [...new Set(rows.map((row) => row.code))].sort();

describe('extractIndexRows', () => {
  it('extracts strings from HumanName and Address parts, folded', () => {
    const patient = officialExample<Patient>('patient-example.json');
    const rows = extractIndexRows(patient);
    const values = (code: string) => rows.string.filter((row) => row.code === code).map((row) => row.value);
    expect(values('family')).toEqual(expect.arrayContaining(['chalmers', 'windsor']));
    expect(values('given')).toEqual(expect.arrayContaining(['peter', 'james', 'jim']));
    expect(values('name')).toEqual(expect.arrayContaining(['peter james chalmers', 'chalmers']));
    expect(values('address-city')).toEqual(['pleasantville']);
    expect(values('address')).toEqual(expect.arrayContaining(['534 erewhon st', 'pleasantville', '3999']));
  });

  it('extracts tokens from Identifier, ContactPoint, code, boolean, with :of-type and :text rows', () => {
    const patient = officialExample<Patient>('patient-example.json');
    const rows = extractIndexRows(patient);
    expect(rows.token).toEqual(
      expect.arrayContaining([
        { code: 'identifier', system: 'urn:oid:1.2.36.146.595.217.0.1', value: '12345' },
        {
          code: 'identifier:of-type',
          system: 'http://terminology.hl7.org/CodeSystem/v2-0203',
          value: 'MR|12345',
        },
        { code: 'gender', value: 'male' },
        { code: 'active', value: 'true' },
        { code: 'phone', system: 'phone', value: '(03) 5555 6473' },
        { code: 'deceased', value: 'false' },
      ]),
    );
    expect(rows.token.some((row) => row.code === '_id')).toBe(false); // searched on the resource row
  });

  it('extracts dates as intervals: dateTime at its precision, Period, birthDate', () => {
    const rows = extractIndexRows(officialExample<Patient>('patient-example.json'));
    expect(rows.date.find((row) => row.code === 'birthdate')).toEqual({
      code: 'birthdate',
      start: Date.UTC(1974, 11, 25),
      end: Date.UTC(1974, 11, 26),
    });
    const encounter: Encounter = {
      resourceType: 'Encounter',
      status: 'in-progress',
      class: { code: 'IMP' },
      period: { start: '2020-03-01T10:00:00+01:00' },
    };
    expect(extractIndexRows(encounter).date).toEqual([
      { code: 'date', start: Date.UTC(2020, 2, 1, 9), end: Infinity },
    ]);
  });

  it('stores an inverted Period (end before start, as some feeds send) as the span covering both ends', () => {
    const encounter: Encounter = {
      resourceType: 'Encounter',
      status: 'finished',
      class: { code: 'IMP' },
      period: { start: '2020-03-05', end: '2020-03-01' },
    };
    expect(extractIndexRows(encounter).date).toEqual([
      { code: 'date', start: Date.UTC(2020, 2, 1), end: Date.UTC(2020, 2, 6) },
    ]);
  });

  it('extracts quantities, references, uris and composites from an Observation', () => {
    const observation = officialExample<Observation>('observation-example.json');
    observation.meta = { profile: ['http://hl7.org/fhir/StructureDefinition/vitalsigns'] };
    const rows = extractIndexRows(observation);
    // Also in UCUM base units, marked as such: 185 [lb_av] = 83914.59 g.
    expect(rows.quantity).toContainEqual({
      code: 'value-quantity',
      low: '83914.58845',
      high: '83914.58845',
      system: 'http://unitsofmeasure.org',
      unit: 'g',
      canonical: true,
    });
    expect(rows.quantity).toContainEqual({
      code: 'value-quantity',
      low: '185',
      high: '185',
      system: 'http://unitsofmeasure.org',
      unit: '[lb_av]',
      unitText: 'lbs',
    });
    expect(rows.reference).toEqual(
      expect.arrayContaining([
        { code: 'subject', targetType: 'Patient', targetId: 'example' },
        { code: 'patient', targetType: 'Patient', targetId: 'example' },
        { code: 'encounter', targetType: 'Encounter', targetId: 'example' },
      ]),
    );
    expect(rows.uri).toEqual([
      { code: '_profile', value: 'http://hl7.org/fhir/StructureDefinition/vitalsigns' },
    ]);
    expect(rows.composite).toContainEqual({
      code: 'code-value-quantity',
      system: 'http://loinc.org',
      value: '29463-7',
      second: {
        type: 'quantity',
        low: '185',
        high: '185',
        system: 'http://unitsofmeasure.org',
        unit: '[lb_av]',
      },
    });
    expect(rows.composite).toContainEqual(
      expect.objectContaining({
        code: 'code-value-quantity',
        second: expect.objectContaining({ low: '83914.58845', unit: 'g', canonical: true }),
      }),
    );
  });

  it('pairs composite components from the same Observation.component', () => {
    const bloodPressure = syntheaResources(syntheaBundleFiles()[0]).find(
      (resource): resource is Observation =>
        resource.resourceType === 'Observation' && !!(resource as Observation).component?.length,
    );
    expect(bloodPressure).toBeDefined();
    const components = (bloodPressure as Observation).component ?? [];
    const unit = components[0]?.valueQuantity?.code; // the base-unit (UCUM) rows are checked elsewhere
    const rows = extractIndexRows(bloodPressure as Observation).composite.filter(
      (row) =>
        row.code === 'component-code-value-quantity' &&
        row.second.type === 'quantity' &&
        row.second.unit === unit,
    );
    expect(rows).toHaveLength(components.length);
    for (const component of components) {
      expect(rows).toContainEqual(
        expect.objectContaining({
          value: component.code.coding?.[0].code,
          second: expect.objectContaining({ low: String(component.valueQuantity?.value) }),
        }),
      );
    }
  });

  it('extracts canonical references with and without version, and logical identifiers', () => {
    const response: QuestionnaireResponse = {
      resourceType: 'QuestionnaireResponse',
      status: 'completed',
      questionnaire: 'http://example.org/Questionnaire/phq9|2.0',
      subject: { identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' } },
    };
    const rows = extractIndexRows(response);
    expect(rows.reference).toEqual([
      {
        code: 'questionnaire',
        targetType: 'Questionnaire',
        targetId: 'http://example.org/Questionnaire/phq9',
      },
      {
        code: 'questionnaire',
        targetType: 'Questionnaire',
        targetId: 'http://example.org/Questionnaire/phq9|2.0',
      },
    ]);
    expect(rows.token).toContainEqual({
      code: 'subject:identifier',
      system: 'https://fhir.nhs.uk/Id/nhs-number',
      value: '9434765919',
    });
    const questionnaire: Questionnaire = {
      resourceType: 'Questionnaire',
      status: 'active',
      url: 'http://example.org/Questionnaire/phq9',
    };
    expect(extractIndexRows(questionnaire).uri).toEqual([
      { code: 'url', value: 'http://example.org/Questionnaire/phq9' },
    ]);
  });

  it('indexes references to our own base URL as local', () => {
    const observation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: {},
      subject: { reference: 'https://fhir.example.nhs.uk/R4/Patient/p1' },
    };
    expect(
      extractIndexRows(observation, { baseUrl: 'https://fhir.example.nhs.uk/R4' }).reference,
    ).toContainEqual({
      code: 'subject',
      targetType: 'Patient',
      targetId: 'p1',
    });
    expect(extractIndexRows(observation).reference).toContainEqual({
      code: 'subject',
      targetType: 'Patient',
      targetId: 'https://fhir.example.nhs.uk/R4/Patient/p1',
    });
  });

  it('extracts every official example and every Synthea resource without error, covering every table', () => {
    const resources: Resource[] = [
      ...officialExamples(),
      ...syntheaBundleFiles().flatMap((file) => syntheaResources(file)),
    ];
    const seen = new Set<string>();
    for (const resource of resources) {
      const rows = extractIndexRows(resource);
      for (const [table, list] of Object.entries(rows)) if (list.length) seen.add(table);
    }
    expect([...seen].sort()).toEqual(
      ['composite', 'date', 'quantity', 'reference', 'string', 'token', 'uri'].sort(),
    );
    const immunization = officialExample('immunization-example.json');
    expect(codes(extractIndexRows(immunization).date)).toEqual(['date']);
  });

  it('extracts a typical Observation in well under a millisecond', () => {
    const observations = syntheaResources(syntheaBundleFiles()[0]).filter(
      (resource) => resource.resourceType === 'Observation',
    );
    observations.forEach((observation) => extractIndexRows(observation));
    // CPU time rather than wall time: the test machine is shared, and waiting for a core is not our cost.
    const start = process.cpuUsage();
    const rounds = 10;
    for (let i = 0; i < rounds; i++) observations.forEach((observation) => extractIndexRows(observation));
    const { user, system } = process.cpuUsage(start);
    const perObservationMs = (user + system) / 1000 / (rounds * observations.length);
    expect(perObservationMs).toBeLessThan(1); // ~0.4 ms measured on an idle core
  });
});
