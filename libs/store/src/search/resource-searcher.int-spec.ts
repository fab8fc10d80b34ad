import type { Encounter, Observation, Organization, Patient, FhirResource, RiskAssessment } from 'fhir/r4';
import type postgres from 'postgres';
import { analyzeSearchTables, storeResources, suffix, testSql } from './testing/search-fixture';
import { searchWith } from './testing/search-helpers';

const BASE = 'https://fhir.continuum.example.nhs.uk/R4';
jest.setTimeout(60_000);

describe('ResourceSearcher', () => {
  let sql: postgres.Sql;
  let search: ReturnType<typeof searchWith>;
  beforeAll(async () => {
    sql = testSql();
    search = searchWith(sql);
    await analyzeSearchTables(sql);
  });
  afterAll(() => sql.end());

  describe('string parameters', () => {
    const s = suffix();
    beforeAll(() =>
      storeResources(sql, [
        { resourceType: 'Patient', id: `zoe-${s}`, name: [{ family: `Ëvans${s}`, given: ['Zoë'] }] },
        { resourceType: 'Patient', id: `zo-${s}`, name: [{ family: `Strauß${s}`, given: ['Zola'] }] },
      ]),
    );

    it('matches case- and accent-insensitive prefixes by default', async () => {
      expect(await search.ids('Patient', `family=evans${s}`)).toEqual([`zoe-${s}`]);
      expect(await search.ids('Patient', `family=EVANS${s.toUpperCase()}&given=zoe`)).toEqual([`zoe-${s}`]);
      expect(await search.ids('Patient', `name=evans${s}`)).toEqual([`zoe-${s}`]);
      expect(await search.ids('Patient', `family=strauss${s}`)).toEqual([`zo-${s}`]);
      expect(await search.ids('Patient', `family=evans${s},strauss${s}`)).toEqual([`zo-${s}`, `zoe-${s}`]);
    });

    it(':exact compares the original text, :contains any substring', async () => {
      expect(await search.ids('Patient', `family:exact=Ëvans${s}`)).toEqual([`zoe-${s}`]);
      expect(await search.ids('Patient', `family:exact=evans${s}`)).toEqual([]);
      expect(await search.ids('Patient', `family:contains=ANS${s}`)).toEqual([`zoe-${s}`]);
      expect(await search.ids('Patient', `family:contains=auss${s}`)).toEqual([`zo-${s}`]);
    });

    it('treats LIKE wildcards in the search value literally', async () => {
      expect(await search.ids('Patient', `family=%25${s}`)).toEqual([]);
      expect(await search.ids('Patient', `family:contains=_${s}`)).toEqual([]);
    });
  });

  describe('token parameters', () => {
    const s = suffix();
    const nhs = 'https://fhir.nhs.uk/Id/nhs-number';
    beforeAll(() =>
      storeResources(sql, [
        {
          resourceType: 'Patient',
          id: `t1-${s}`,
          active: true,
          gender: 'female',
          identifier: [
            {
              system: nhs,
              value: `943${s}`,
              type: {
                coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NH' }],
                text: 'NHS Number',
              },
            },
          ],
          telecom: [{ system: 'phone', value: `0113${s}` }],
        },
        {
          resourceType: 'Patient',
          id: `t2-${s}`,
          active: false,
          gender: 'male',
          identifier: [{ value: `943${s}` }],
        },
        {
          resourceType: 'Observation',
          id: `to-${s}`,
          status: 'final',
          code: {
            coding: [{ system: 'http://snomed.info/sct', code: `c${s}`, display: 'Blood glucose' }],
            text: 'Glucose (fasting)',
          },
        },
      ]),
    );

    it('matches code, system|code, |code and system|', async () => {
      expect(await search.ids('Patient', `identifier=943${s}`)).toEqual([`t1-${s}`, `t2-${s}`]);
      expect(await search.ids('Patient', `identifier=${nhs}|943${s}`)).toEqual([`t1-${s}`]);
      expect(await search.ids('Patient', `identifier=|943${s}`)).toEqual([`t2-${s}`]);
      expect(await search.ids('Patient', `identifier=${nhs}|&_id=t1-${s},t2-${s}`)).toEqual([`t1-${s}`]);
      expect(await search.ids('Patient', `phone=0113${s}&active=true`)).toEqual([`t1-${s}`]);
      expect(await search.ids('Patient', `_id=t1-${s},t2-${s}&active=false`)).toEqual([`t2-${s}`]);
    });

    it(':not excludes resources with a matching value, keeping those without the element', async () => {
      expect(await search.ids('Patient', `_id=t1-${s},t2-${s}&gender:not=male`)).toEqual([`t1-${s}`]);
      expect(await search.ids('Patient', `_id=t1-${s},t2-${s}&telecom:not=x`)).toEqual([
        `t1-${s}`,
        `t2-${s}`,
      ]);
    });

    it(':text searches displays and texts, :of-type identifier types, :missing presence', async () => {
      expect(await search.ids('Observation', `code:text=glucose&_id=to-${s}`)).toEqual([`to-${s}`]);
      expect(await search.ids('Observation', `code:text=blood gl&_id=to-${s}`)).toEqual([`to-${s}`]);
      expect(await search.ids('Observation', `code=http://snomed.info/sct|c${s}`)).toEqual([`to-${s}`]);
      expect(
        await search.ids(
          'Patient',
          `identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|NH|943${s}`,
        ),
      ).toEqual([`t1-${s}`]);
      expect(await search.ids('Patient', `_id=t1-${s},t2-${s}&telecom:missing=true`)).toEqual([`t2-${s}`]);
      expect(await search.ids('Patient', `_id=t1-${s},t2-${s}&telecom:missing=false`)).toEqual([`t1-${s}`]);
    });

    it('reads escaped separators in values', async () => {
      const id = `esc-${s}`;
      await storeResources(sql, [
        { resourceType: 'Patient', id, identifier: [{ system: 'urn:x', value: `a,b|c$${s}` }] },
      ]);
      expect(await search.ids('Patient', `identifier=urn:x|a\\,b\\|c\\$${s}`)).toEqual([id]);
    });
  });

  describe('date parameters', () => {
    const s = suffix();
    const obs = (id: string, effective: Partial<Observation>): Observation => ({
      resourceType: 'Observation',
      id: `${id}-${s}`,
      status: 'final',
      code: { coding: [{ system: 'urn:test', code: `d${s}` }] },
      ...effective,
    });
    beforeAll(() =>
      storeResources(sql, [
        obs('late-evening-ny', { effectiveDateTime: '2020-03-01T23:30:00-05:00' }),
        obs('day', { effectiveDateTime: '2020-03-01' }),
        obs('year', { effectiveDateTime: '2019' }),
        obs('period', { effectivePeriod: { start: '2020-02-20', end: '2020-03-10' } }),
        obs('open', { effectivePeriod: { start: '2021-01-01T00:00:00Z' } }),
        obs('none', {}),
        { resourceType: 'Patient', id: `born-${s}`, birthDate: '1980-07', name: [{ family: `Date${s}` }] },
      ]),
    );
    const ids = async (query: string) =>
      (await search.ids('Observation', `code=urn:test|d${s}&${query}`)).map((id) => id.replace(`-${s}`, ''));

    it('reads partial dates as the interval they denote and compares time zones in UTC', async () => {
      expect(await ids('date=2020-03-01')).toEqual(['day']);
      expect(await ids('date=2020-03-02')).toEqual(['late-evening-ny']);
      expect(await ids('date=2020-03')).toEqual(['day', 'late-evening-ny']);
      expect(await ids('date=2020-03-02T04:30')).toEqual(['late-evening-ny']);
      expect(await ids('date=2020-03-01T23:30-05:00')).toEqual(['late-evening-ny']);
      expect(await ids('date=2019')).toEqual(['year']);
      expect(await search.ids('Patient', `family=date${s}&birthdate=1980`)).toEqual([`born-${s}`]);
      expect(await search.ids('Patient', `family=date${s}&birthdate=1980-07-15`)).toEqual([]);
    });

    it('applies every prefix to intervals (Periods included, open ends unbounded)', async () => {
      expect(await ids('date=gt2020-03-05')).toEqual(['open', 'period']);
      expect(await ids('date=ge2020-03-02')).toEqual(['late-evening-ny', 'open', 'period']);
      expect(await ids('date=lt2020-01-01')).toEqual(['year']);
      expect(await ids('date=le2020-03-01')).toEqual(['day', 'period', 'year']);
      expect(await ids('date=sa2020-12-31')).toEqual(['open']);
      expect(await ids('date=eb2020-01-01')).toEqual(['year']);
      expect(await ids('date=ne2020-03-01')).toEqual(['late-evening-ny', 'open', 'period', 'year']);
      // ap widens by 10% of the distance from now (years, here): 2019 is close enough, 2021 onwards is not.
      expect(await ids('date=ap2020-03-01')).toEqual(['day', 'late-evening-ny', 'period', 'year']);
      expect(await ids('date=ge2020-01-01&date=lt2020-03-01T12:00')).toEqual(['day', 'period']);
      expect(await ids('date:missing=true')).toEqual(['none']);
    });

    it('searches _lastUpdated on the resource row', async () => {
      const id = `lu-${s}`;
      await storeResources(sql, [
        { resourceType: 'Patient', id, meta: { lastUpdated: '2001-02-03T04:05:06.789Z' } },
      ]);
      expect(await search.ids('Patient', `_id=${id}&_lastUpdated=2001-02-03`)).toEqual([id]);
      expect(await search.ids('Patient', `_id=${id}&_lastUpdated=gt2001-02-03T04:05:06Z`)).toEqual([]);
      expect(await search.ids('Patient', `_id=${id}&_lastUpdated=lt2001-02-04`)).toEqual([id]);
    });
  });

  describe('number and quantity parameters', () => {
    const s = suffix();
    const risk = (
      id: string,
      probability: Partial<NonNullable<RiskAssessment['prediction']>[number]>,
    ): RiskAssessment => ({
      resourceType: 'RiskAssessment',
      id: `${id}-${s}`,
      status: 'final',
      subject: { reference: `Patient/risk-${s}` },
      prediction: [probability],
    });
    const weight = (id: string, value: number, unit: string, code?: string): Observation => ({
      resourceType: 'Observation',
      id: `${id}-${s}`,
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: `q${s}` }] },
      valueQuantity: { value, unit, ...(code ? { system: 'http://unitsofmeasure.org', code } : {}) },
    });
    beforeAll(() =>
      storeResources(sql, [
        risk('half', { probabilityDecimal: 0.5 }),
        risk('fifty-two', { probabilityDecimal: 0.52 }),
        risk('range', { probabilityRange: { low: { value: 0.7 }, high: { value: 0.9 } } }),
        weight('mg', 5.4, 'milligram', 'mg'),
        weight('mg-text', 5.4, 'mg'),
        weight('g', 5.4, 'g', 'g'),
        weight('big', 100, 'mg', 'mg'),
      ]),
    );
    const risks = async (query: string) =>
      (await search.ids('RiskAssessment', `subject=Patient/risk-${s}&${query}`)).map((id) =>
        id.replace(`-${s}`, ''),
      );
    const weights = async (query: string) =>
      (await search.ids('Observation', `code=q${s}&${query}`)).map((id) => id.replace(`-${s}`, ''));

    it('uses the precision of the search value: 0.5 vs 0.50', async () => {
      expect(await risks('probability=0.5')).toEqual(['fifty-two', 'half']);
      expect(await risks('probability=0.50')).toEqual(['half']);
      expect(await risks('probability=gt0.5')).toEqual(['fifty-two', 'range']);
      expect(await risks('probability=le0.52')).toEqual(['fifty-two', 'half']);
      expect(await risks('probability=0.8')).toEqual([]);
      expect(await risks('probability=ge0.8')).toEqual(['range']);
      expect(await risks('probability=sa0.6')).toEqual(['range']);
      expect(await risks('probability=eb0.6')).toEqual(['fifty-two', 'half']);
      expect(await risks('probability=ne0.5')).toEqual(['range']);
    });

    it('matches quantities with system and code, with the unit alone, and with prefixes', async () => {
      expect(await weights('value-quantity=5.4|http://unitsofmeasure.org|mg')).toEqual(['mg']);
      expect(await weights('value-quantity=5.4||mg')).toEqual(['mg', 'mg-text']);
      expect(await weights('value-quantity=5.4')).toEqual(['g', 'mg', 'mg-text']);
      expect(await weights('value-quantity=gt50||mg')).toEqual(['big']);
      expect(await weights('value-quantity=ap100||mg')).toEqual(['big']);
      expect(await weights('value-quantity=lt1|http://unitsofmeasure.org|g')).toEqual(['big', 'mg']);
    });

    it('compares UCUM quantities in base units, so commensurable units match', async () => {
      expect(await weights('value-quantity=0.0054|http://unitsofmeasure.org|g')).toEqual(['mg']);
      expect(await weights('value-quantity=5400|http://unitsofmeasure.org|mg')).toEqual(['g']);
      expect(await weights('value-quantity=5.4|http://unitsofmeasure.org|mg')).toEqual(['mg']);
      expect(await weights('value-quantity=ge0.1|http://unitsofmeasure.org|g')).toEqual(['big', 'g']);
      expect(
        await weights(`code-value-quantity=http://loinc.org|q${s}$0.1|http://unitsofmeasure.org|g`),
      ).toEqual(['big']);
    });

    describe('without a unit, the stated value whatever its unit; with one, in base units where UCUM converts', () => {
      const t = suffix();
      const lab = (id: string, value: number, code: string): Observation => ({
        resourceType: 'Observation',
        id: `${id}-${t}`,
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: `lab${t}` }] },
        valueQuantity: { value, unit: code, system: 'http://unitsofmeasure.org', code },
      });
      beforeAll(() =>
        storeResources(sql, [lab('kg', 61, 'kg'), lab('mmol', 5.4, 'mmol/L'), lab('mgdl', 150, 'mg/dL')]),
      );
      const labs = async (query: string) =>
        (await search.ids('Observation', `code=lab${t}&${query}`)).map((id) => id.replace(`-${t}`, ''));

      it('compares the stated value: gt100 is 150 mg/dL, not 61 kg (61000 g) or 5.4 mmol/L', async () => {
        expect(await labs('value-quantity=gt100')).toEqual(['mgdl']);
        expect(await labs('value-quantity=lt100')).toEqual(['kg', 'mmol']);
        expect(await labs('value-quantity=61')).toEqual(['kg']);
        expect(await labs('value-quantity=61000')).toEqual([]);
        expect(await labs(`code-value-quantity=http://loinc.org|lab${t}$gt100`)).toEqual(['mgdl']);
      });

      it('compares in base units with a convertible UCUM unit, the stated value with any other unit', async () => {
        expect(await labs('value-quantity=gt60000|http://unitsofmeasure.org|g')).toEqual(['kg']);
        expect(await labs('value-quantity=1.5|http://unitsofmeasure.org|g/L')).toEqual(['mgdl']);
        expect(await labs('value-quantity=gt1|http://unitsofmeasure.org|mmol/L')).toEqual(['mmol']);
        // a unit alone is matched as stated: no g row stands for the kilograms
        expect(await labs('value-quantity=gt1||g')).toEqual([]);
        expect(await labs('value-quantity=gt1||kg')).toEqual(['kg']);
        expect(await labs('value-quantity=gt1|http://example.org/units|kg')).toEqual([]);
      });
    });

    it('matches composites by pairs from the same component', async () => {
      expect(await weights(`code-value-quantity=http://loinc.org|q${s}$gt50`)).toEqual(['big']);
      expect(await weights(`code-value-quantity=http://loinc.org|q${s}$5.4||mg`)).toEqual(['mg', 'mg-text']);
      expect(
        await weights(`code-value-quantity=http://loinc.org|q${s}$5.4|http://unitsofmeasure.org|g`),
      ).toEqual(['g']);
    });
  });

  describe('reference parameters, chains and _has', () => {
    const s = suffix();
    const patient: Patient = {
      resourceType: 'Patient',
      id: `rp-${s}`,
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: `n${s}` }],
      name: [{ family: `Chain${s}` }],
    };
    const other: Patient = { resourceType: 'Patient', id: `rq-${s}`, name: [{ family: `Other${s}` }] };
    const organization: Organization = { resourceType: 'Organization', id: `ro-${s}`, name: `Trust ${s}` };
    const encounter: Encounter = {
      resourceType: 'Encounter',
      id: `re-${s}`,
      status: 'finished',
      class: { code: 'AMB' },
      subject: { reference: `Patient/${patient.id}` },
      serviceProvider: { reference: `Organization/${organization.id}` },
    };
    const observations: Observation[] = [
      {
        resourceType: 'Observation',
        id: `relative-${s}`,
        status: 'final',
        code: { coding: [{ system: 'urn:test', code: `r${s}` }] },
        subject: { reference: `Patient/${patient.id}` },
        encounter: { reference: `Encounter/${encounter.id}` },
      },
      {
        resourceType: 'Observation',
        id: `absolute-${s}`,
        status: 'final',
        code: { coding: [{ system: 'urn:test', code: `r${s}` }] },
        subject: { reference: `${BASE}/Patient/${patient.id}` },
      },
      {
        resourceType: 'Observation',
        id: `elsewhere-${s}`,
        status: 'final',
        code: { coding: [{ system: 'urn:test', code: `x${s}` }] },
        subject: { reference: `https://other.example.org/fhir/Patient/${patient.id}` },
        performer: [{ identifier: { system: 'https://fhir.nhs.uk/Id/sds-user-id', value: `u${s}` } }],
      },
      {
        resourceType: 'Observation',
        id: `otherpatient-${s}`,
        status: 'final',
        code: { coding: [{ system: 'urn:test', code: `x${s}` }] },
        subject: { reference: `Patient/${other.id}` },
      },
    ];
    beforeAll(() =>
      storeResources(sql, [patient, other, organization, encounter, ...observations] as FhirResource[], {
        baseUrl: BASE,
      }),
    );
    const ids = async (type: string, query: string) =>
      (await search.ids(type, query, { baseUrl: BASE })).map((id) => id.replace(`-${s}`, ''));

    it('finds references by Type/id, bare id, our absolute URL, another server URL and :identifier', async () => {
      expect(await ids('Observation', `subject=Patient/rp-${s}`)).toEqual(['absolute', 'relative']);
      expect(await ids('Observation', `patient=rp-${s}`)).toEqual(['absolute', 'relative']);
      expect(await ids('Observation', `subject:Patient=rp-${s}`)).toEqual(['absolute', 'relative']);
      expect(await ids('Observation', `subject=${BASE}/Patient/rp-${s}`)).toEqual(['absolute', 'relative']);
      expect(await ids('Observation', `subject=https://other.example.org/fhir/Patient/rp-${s}`)).toEqual([
        'elsewhere',
      ]);
      expect(
        await ids('Observation', `performer:identifier=https://fhir.nhs.uk/Id/sds-user-id|u${s}`),
      ).toEqual(['elsewhere']);
      expect(await ids('Observation', `code=x${s},r${s}&encounter:missing=false`)).toEqual(['relative']);
    });

    it('follows chains, typed and untyped, several levels deep', async () => {
      expect(
        await ids('Observation', `subject:Patient.identifier=https://fhir.nhs.uk/Id/nhs-number|n${s}`),
      ).toEqual(['absolute', 'relative']);
      expect(await ids('Observation', `subject.name=chain${s}`)).toEqual(['absolute', 'relative']);
      expect(await ids('Observation', `encounter.service-provider.name=trust ${s}`)).toEqual(['relative']);
    });

    it('reverse-chains with _has, nested', async () => {
      expect(await ids('Patient', `_has:Observation:patient:code=urn:test|r${s}`)).toEqual(['rp']);
      expect(await ids('Patient', `_has:Observation:subject:code=x${s}`)).toEqual(['rq']);
      expect(
        await ids('Organization', `_has:Encounter:service-provider:_has:Observation:encounter:code=r${s}`),
      ).toEqual(['ro']);
    });

    it('includes targets and referrers, iterating when asked', async () => {
      const included = async (type: string, query: string) =>
        (await search.run(type, query, { baseUrl: BASE })).included
          .map((found) => `${found.resourceType}/${found.id.replace(`-${s}`, '')}`)
          .sort();
      expect(await included('Observation', `_id=relative-${s}&_include=Observation:subject`)).toEqual([
        'Patient/rp',
      ]);
      expect(await included('Observation', `_id=relative-${s}&_include=Observation:subject:Group`)).toEqual(
        [],
      );
      expect(
        await included(
          'Observation',
          `_id=relative-${s}&_include=Observation:encounter&_include:iterate=Encounter:service-provider`,
        ),
      ).toEqual(['Encounter/re', 'Organization/ro']);
      expect(
        await included(
          'Observation',
          `_id=relative-${s}&_include=Observation:encounter&_include=Encounter:service-provider`,
        ),
      ).toEqual(['Encounter/re']);
      expect(await included('Patient', `_id=rp-${s}&_revinclude=Observation:subject`)).toEqual([
        'Observation/absolute',
        'Observation/relative',
      ]);
      expect(
        await included(
          'Organization',
          `_id=ro-${s}&_revinclude=Encounter:service-provider&_revinclude:iterate=Observation:encounter`,
        ),
      ).toEqual(['Encounter/re', 'Observation/relative']);
    });

    it('restricts matches and includes to a patient compartment', async () => {
      const restricted = await search.run('Observation', `code=r${s},x${s}&_include=Observation:subject`, {
        baseUrl: BASE,
        compartment: { patientIds: [`rq-${s}`] },
      });
      expect(restricted.matches.map((found) => found.id)).toEqual([`otherpatient-${s}`]);
      expect(restricted.included.map((found) => found.id)).toEqual([`rq-${s}`]);
    });
  });

  describe('uri parameters', () => {
    const s = suffix();
    beforeAll(() =>
      storeResources(sql, [
        {
          resourceType: 'ValueSet',
          id: `vs-${s}`,
          status: 'active',
          url: `http://acme.org/fhir/${s}/ValueSet/123`,
        },
        {
          resourceType: 'Patient',
          id: `prof-${s}`,
          meta: {
            profile: [`https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient-${s}`],
            source: `urn:src:${s}`,
          },
        },
      ] as FhirResource[]),
    );

    it('matches exactly, :below by prefix and :above by ancestor', async () => {
      expect(await search.ids('ValueSet', `url=http://acme.org/fhir/${s}/ValueSet/123`)).toEqual([`vs-${s}`]);
      expect(await search.ids('ValueSet', `url=http://acme.org/fhir/${s}/ValueSet`)).toEqual([]);
      expect(await search.ids('ValueSet', `url:below=http://acme.org/fhir/${s}/`)).toEqual([`vs-${s}`]);
      expect(
        await search.ids('ValueSet', `url:above=http://acme.org/fhir/${s}/ValueSet/123/_history/5`),
      ).toEqual([`vs-${s}`]);
      expect(
        await search.ids(
          'Patient',
          `_profile=https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient-${s}`,
        ),
      ).toEqual([`prof-${s}`]);
      expect(await search.ids('Patient', `_source=urn:src:${s}`)).toEqual([`prof-${s}`]);
    });
  });

  describe('sorting, paging, totals and result shaping', () => {
    const s = suffix();
    const patients: Patient[] = [
      ['b', '1990-01-01'],
      ['a', '1990-01-01'],
      ['c', '1985-05-05'],
      ['a', '2000-01-01'],
      ['d', undefined],
    ].map(([given, birthDate], i) => ({
      resourceType: 'Patient',
      id: `s${i}-${s}`,
      name: [{ family: `Sort${s}`, given: [given as string] }],
      ...(birthDate ? { birthDate } : {}),
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
    }));
    beforeAll(() => storeResources(sql, patients));

    it('sorts on several keys, descending with -, missing values last', async () => {
      const result = await search.run('Patient', `family=sort${s}&_sort=-birthdate,given`);
      expect(result.matches.map((found) => found.id.replace(`-${s}`, ''))).toEqual([
        's3',
        's1',
        's0',
        's2',
        's4',
      ]);
      const byName = await search.run('Patient', `family=sort${s}&_sort=given,-_id`);
      expect(byName.matches.map((found) => found.id.replace(`-${s}`, ''))).toEqual([
        's3',
        's1',
        's0',
        's2',
        's4',
      ]);
    });

    it('pages with a cursor through sorted results', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await search.run(
          'Patient',
          `family=sort${s}&_sort=-birthdate,given&_count=2${cursor ? `&_cursor=${cursor}` : ''}`,
        );
        seen.push(...page.matches.map((found) => found.id.replace(`-${s}`, '')));
        cursor = page.next;
      } while (cursor);
      expect(seen).toEqual(['s3', 's1', 's0', 's2', 's4']);
    });

    it('pages through equal sort values (same _lastUpdated) by resource key', async () => {
      const t = suffix();
      const lastUpdated = '2024-05-06T07:08:09.123Z';
      await storeResources(
        sql,
        Array.from({ length: 5 }, (_, i): Patient => ({
          resourceType: 'Patient',
          id: `lu${i}-${t}`,
          meta: { lastUpdated },
          name: [{ family: `Same${t}` }],
        })),
      );
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await search.run(
          'Patient',
          `family=same${t}&_sort=-_lastUpdated&_count=2${cursor ? `&_cursor=${cursor}` : ''}`,
        );
        seen.push(...page.matches.map((found) => found.id));
        cursor = page.next;
      } while (cursor);
      expect(seen).toEqual(Array.from({ length: 5 }, (_, i) => `lu${i}-${t}`));
    });

    it('refuses a cursor that does not fit the sort', async () => {
      await expect(search.run('Patient', `family=sort${s}&_sort=given&_cursor=bm9wZQ`)).rejects.toMatchObject(
        { status: 400 },
      );
    });

    it('counts: accurate, estimate from the planner, none', async () => {
      expect((await search.run('Patient', `family=sort${s}&_total=accurate`)).total).toBe(5);
      expect(typeof (await search.run('Patient', `family=sort${s}&_total=estimate`)).total).toBe('number');
      expect((await search.run('Patient', `family=sort${s}`)).total).toBeUndefined();
      const count = await search.run('Patient', `family=sort${s}&_summary=count`);
      expect(count).toMatchObject({ matches: [], total: 5 });
    });

    it('shapes resources with _summary and _elements', async () => {
      const [summary] = (await search.run('Patient', `_id=s0-${s}&_summary=true`)).matches;
      expect(summary.content).toMatchObject({
        resourceType: 'Patient',
        id: `s0-${s}`,
        birthDate: '1990-01-01',
      });
      expect(summary.content).not.toHaveProperty('text');
      expect(summary.content.meta?.tag).toEqual([expect.objectContaining({ code: 'SUBSETTED' })]);
      const [data] = (await search.run('Patient', `_id=s0-${s}&_summary=data`)).matches;
      expect(data.content).not.toHaveProperty('text');
      expect(data.content).toHaveProperty('name');
      const [elements] = (await search.run('Patient', `_id=s0-${s}&_elements=birthDate`)).matches;
      expect(Object.keys(elements.content).sort()).toEqual(['birthDate', 'id', 'meta', 'resourceType']);
    });
  });

  it('pages without duplicates or gaps while resources are being added', async () => {
    const s = suffix();
    const make = (i: number): Patient => ({
      resourceType: 'Patient',
      id: `pg${i}-${s}`,
      name: [{ family: `Page${s}` }],
    });
    await storeResources(
      sql,
      Array.from({ length: 23 }, (_, i) => make(i)),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    let added = 100;
    do {
      const page = await search.run(
        'Patient',
        `family=page${s}&_count=5${cursor ? `&_cursor=${cursor}` : ''}`,
      );
      seen.push(...page.matches.map((found) => found.id));
      cursor = page.next;
      // Writers keep going between pages: new resources, and updates of resources already seen and not yet seen.
      await storeResources(sql, [make(added++), make(0), make(20)]);
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (let i = 0; i < 23; i++) expect(seen).toContain(`pg${i}-${s}`);
  });

  it('ignores and reports unknown parameters, or refuses them under strict handling', async () => {
    const result = await search.run('Patient', `_id=x-${suffix()}&nonsense=1`);
    expect(result.outcome?.issue).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'not-supported', expression: ['nonsense'] }),
    ]);
    await expect(search.run('Patient', 'nonsense=1', { strict: true })).rejects.toMatchObject({
      status: 400,
    });
  });

  it('searches several types at system level with _type', async () => {
    const s = suffix();
    await storeResources(sql, [
      { resourceType: 'Patient', id: `sys-${s}`, meta: { tag: [{ system: 'urn:tag', code: s }] } },
      { resourceType: 'Organization', id: `sys-${s}`, meta: { tag: [{ system: 'urn:tag', code: s }] } },
      { resourceType: 'Practitioner', id: `sys-${s}`, meta: { tag: [{ system: 'urn:tag', code: s }] } },
    ] as FhirResource[]);
    const result = await search.run(undefined, `_type=Patient,Organization&_tag=urn:tag|${s}`);
    expect(result.matches.map((found) => found.resourceType).sort()).toEqual(['Organization', 'Patient']);
    const all = await search.run(undefined, `_tag=urn:tag|${s}`);
    expect(all.matches).toHaveLength(3);
  });
});
