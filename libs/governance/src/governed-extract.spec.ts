import { createHash } from 'node:crypto';
import { nhsNumberCheckDigit } from '@continuum/fhir';
import {
  checkExtractRequest,
  countBy,
  type ExtractColumn,
  type ExtractRequest,
  governRows,
  GovernanceError,
  type OptOutRegister,
  releasedColumns,
  type SourceRow,
} from './governed-extract';
import { Pseudonymiser } from './pseudonymisation';
import { buildManifest, serialiseManifest } from './extract-manifest';
import { DEFAULT_GENERALISATION, generaliseDate, generalisePostcode } from './generalisation';
import { controlDisclosure, NHS_SECONDARY_CARE_RULE } from './disclosure-control';
import { OrganisationReference } from './organisation-codes';

const request = (overrides: Partial<ExtractRequest> = {}): ExtractRequest => ({
  requester: 'analyst@icb',
  recipient: 'icb-north-riding',
  project: 'activity',
  purpose: 'HPAYMT',
  legalBasis: 'NHS Act 2006 s251, CAG 7-07(a)',
  dataSharingAgreement: 'DSA-2026-014',
  identifiability: 'identifiable',
  ...overrides,
});

const columns: ExtractColumn[] = [
  { name: 'nhs_number', role: 'nhs-number' },
  { name: 'person_birth_date', role: 'birth-date' },
  { name: 'postcode_of_usual_address', role: 'postcode' },
  { name: 'presenting_complaint_text', role: 'free-text' },
  { name: 'organisation_code_provider', role: 'value' },
  { name: 'activity_month', role: 'value' },
];

const key = {
  keyId: 'k1',
  recipient: 'icb-north-riding',
  project: 'activity',
  secret: createHash('sha256').update('k1').digest(),
};

function nhsNumber(i: number): string {
  for (let firstNine = 999_000_000 + i * 7; ; firstNine++) {
    const check = nhsNumberCheckDigit(String(firstNine));
    if (check !== undefined) return `${firstNine}${check}`;
  }
}

/** 1,000 people with two activity rows each (one GP-sourced), of whom 37 opted out and 20 objected at their GP. */
function population(): { rows: SourceRow[]; optOuts: OptOutRegister } {
  const rows: SourceRow[] = [];
  for (let i = 0; i < 1000; i++)
    for (const fromGpRecord of [false, true])
      rows.push({
        personKey: `person-${i}`,
        fromGpRecord,
        values: {
          nhs_number: nhsNumber(i),
          person_birth_date: '1984-03-17',
          postcode_of_usual_address: 'YO10 5DD',
          presenting_complaint_text: `free text about person ${i}`,
          organisation_code_provider: fromGpRecord ? 'Y12345' : 'RXX',
          activity_month: '2026-10',
        },
      });
  const optedOut = new Set(Array.from({ length: 37 }, (_, i) => `person-${i * 27}`));
  const objected = new Set(Array.from({ length: 20 }, (_, i) => `person-${i * 27 + 1}`));
  return {
    rows,
    optOuts: {
      hasNationalDataOptOut: (person) => optedOut.has(person),
      hasGpType1Objection: (person) => objected.has(person),
    },
  };
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

describe('an extract request', () => {
  it('is refused, naming every missing part, without purpose, legal basis and data-sharing agreement', () => {
    try {
      checkExtractRequest({ requester: 'a', recipient: 'b', project: 'c', identifiability: 'identifiable' });
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(GovernanceError);
      expect((error as GovernanceError).problems).toEqual([
        'legalBasis is required',
        'dataSharingAgreement is required',
        'purpose must be one of HOPERAT, HPAYMT, HRESCH, PUBHLTH, HMARKT (direct care is not an extract)',
      ]);
    }
  });

  it('may skip the opt-outs only as an anonymised aggregate or a consented flow with a reference', () => {
    expect(() =>
      checkExtractRequest({ ...request(), optOutExemption: { basis: 'anonymised', reference: 'DPIA-7' } }),
    ).toThrow(/only for aggregate outputs/);
    expect(() =>
      checkExtractRequest({ ...request(), optOutExemption: { basis: 'consented', reference: '' } }),
    ).toThrow(/reference is required/);
    expect(
      checkExtractRequest({
        ...request({ identifiability: 'aggregate' }),
        optOutExemption: { basis: 'anonymised', reference: 'DPIA-7' },
      }).optOutExemption,
    ).toEqual({ basis: 'anonymised', reference: 'DPIA-7' });
  });
});

describe('the governed pipeline', () => {
  it('removes every row of the 37 opted-out people, whichever source, and GP rows of type 1 objectors', async () => {
    const { rows, optOuts } = population();
    const governed = governRows(request(), columns, rows, { optOuts });
    const released = await collect(governed.rows);
    const people = new Set(released.map((row) => row.nhs_number));
    expect(people.size).toBe(963);
    for (let i = 0; i < 37; i++) expect(people.has(nhsNumber(i * 27))).toBe(false);
    expect(governed.tally.removedByNationalDataOptOut).toEqual({ rows: 74, persons: 37 });
    expect(governed.tally.removedByGpType1Objection).toEqual({ rows: 20, persons: 20 });
    expect(released.filter((row) => row.organisation_code_provider === 'Y12345')).toHaveLength(963 - 20);
    expect(governed.tally).toMatchObject({ rowsIn: 2000, rowsOut: 2000 - 74 - 20 });
  });

  it('keeps opted-out people under a consented exemption, and says so in the tally', async () => {
    const { rows, optOuts } = population();
    const exemption = { basis: 'consented' as const, reference: 'CONSENT-FLOW-3' };
    const governed = governRows(request({ optOutExemption: exemption }), columns, rows, { optOuts });
    expect(await collect(governed.rows)).toHaveLength(2000);
    expect(governed.tally.exemption).toEqual(exemption);
  });

  it('pseudonymises the NHS number, generalises birth date and postcode, and drops free text', async () => {
    const { rows, optOuts } = population();
    const pseudonymiser = new Pseudonymiser(key);
    const pseudonymised = request({ identifiability: 'pseudonymised' });
    const [first] = await collect(
      governRows(pseudonymised, columns, rows.slice(2, 3), { optOuts, pseudonymiser }).rows,
    );
    expect(first).toEqual({
      nhs_number_pseudonym: pseudonymiser.pseudonymOf(nhsNumber(1)),
      person_birth_date: '1984-03',
      postcode_of_usual_address: 'YO10',
      organisation_code_provider: 'RXX',
      activity_month: '2026-10',
    });
    expect(Object.keys(first)).toEqual(releasedColumns(columns, pseudonymised));
  });

  it('refuses a pseudonymised extract without a key, and a key for an identifiable one', () => {
    const { rows, optOuts } = population();
    expect(() =>
      governRows(request({ identifiability: 'pseudonymised' }), columns, rows, { optOuts }),
    ).toThrow(/needs the recipient project key/);
    expect(() =>
      governRows(request(), columns, rows, { optOuts, pseudonymiser: new Pseudonymiser(key) }),
    ).toThrow(/not pseudonymised/);
  });

  it('feeds aggregates without any identifier, ready for disclosure control', async () => {
    const { rows, optOuts } = population();
    const governed = governRows(request({ identifiability: 'aggregate' }), columns, rows, { optOuts });
    const table = await countBy(governed.rows, ['organisation_code_provider', 'activity_month']);
    expect(table.cells).toEqual([
      { key: ['RXX', '2026-10'], count: 963 },
      { key: ['Y12345', '2026-10'], count: 943 },
    ]);
    const release = controlDisclosure(table, NHS_SECONDARY_CARE_RULE);
    expect(release.cells.map((cell) => cell.value)).toEqual([965, 945]);
  });
});

describe('the manifest', () => {
  it('records the request, the view, each file and what each opt-out removed, identically for identical inputs', async () => {
    const { rows, optOuts } = population();
    const governed = governRows(request(), columns, rows, { optOuts });
    await collect(governed.rows);
    const inputs = {
      request: request(),
      view: { url: 'https://continuum.example/ViewDefinition/ecds', version: '1.0.0' },
      parameters: { period: '2026-10', recipient: 'icb-north-riding' },
      transactionTime: '2026-11-01T00:00:00Z',
      files: [{ name: 'ecds.csv', rows: 1906, sha256: 'ab'.repeat(32), bytes: 12_345 }],
      tally: governed.tally,
      generalisation: DEFAULT_GENERALISATION,
    };
    const first = buildManifest({ ...inputs, generatedAt: '2026-12-06T10:00:00Z' });
    const second = buildManifest({ ...inputs, generatedAt: '2026-12-06T11:00:00Z' });
    expect(first.optOuts.nationalDataOptOut).toEqual({ rowsRemoved: 74, personsRemoved: 37 });
    expect(first.view).toBe('https://continuum.example/ViewDefinition/ecds|1.0.0');
    expect(serialiseManifest({ ...second, generatedAt: first.generatedAt })).toBe(serialiseManifest(first));
  });
});

describe('generalisation', () => {
  it('cuts dates to month or year and postcodes to district or area; an unparsed postcode is not published', () => {
    expect(generaliseDate('1984-03-17', 'year')).toBe('1984');
    expect(generaliseDate('1984', 'month')).toBe('1984');
    expect(generalisePostcode('yo10 5dd', 'district')).toBe('YO10');
    expect(generalisePostcode('SW1A 1AA', 'area')).toBe('SW');
    expect(generalisePostcode('M1 1AE', 'full')).toBe('M1 1AE');
    expect(generalisePostcode('somewhere', 'district')).toBeUndefined();
  });
});

describe('organisation codes', () => {
  const reference = new OrganisationReference([
    { code: 'RXX', name: 'Yorvik Teaching Hospitals', roles: ['provider'] },
    { code: 'RXX01', name: 'Yorvik District Hospital', roles: ['site'] },
  ]);

  it('accept reference organisations in their roles and the Data Dictionary defaults where allowed', () => {
    expect(reference.problemWith('rxx', 'provider')).toBeUndefined();
    expect(reference.problemWith('R9998', 'site')).toBeUndefined();
    expect(reference.problemWith('VPP00', 'commissioner')).toBeUndefined();
  });

  it('name the problem with an unknown code, a code in the wrong role, a default out of place or none', () => {
    expect(reference.problemWith('RZZ', 'provider')).toMatch(
      /not an organisation code in the reference data/,
    );
    expect(reference.problemWith('RXX01', 'provider')).toMatch(/is not a provider/);
    expect(reference.problemWith('VPP00', 'provider')).toMatch(/nor a provider default code/);
    expect(reference.problemWith('', 'commissioner')).toBe('the commissioner organisation code is missing');
  });
});
