import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONSENT_CATEGORY_SYSTEM,
  GP_TYPE_1_OBJECTION,
  NATIONAL_DATA_OPT_OUT,
  nhsNumberCheckDigit,
} from '@continuum/fhir';
import { checkExtractRequest, type ExtractManifest, type ExtractRequest } from '@continuum/governance';
import type { Appointment, Consent, Encounter, Patient, Resource } from 'fhir/r4';
import { openExtractContext } from './testing/extract-test-context';

// 1,000 people, each known to a GP practice and to the community trust (two Patient records, linked by the master
// patient index), each with one community contact and one GP appointment in October 2026. 37 have the national data
// opt-out, recorded on their GP record for some and on their community record for others; 5 more have a type 1
// objection at their practice. Minimal clinical volume, exact numbers.
const PEOPLE = 1000;
const OPTED_OUT = 37;
const TYPE_1 = 5;
const GP = 'Y60001:EMIS-Web';
const COMMUNITY = 'RYY:RiO';
const TFC = 'https://fhir.hl7.org.uk/CodeSystem/UKCore-TreatmentFunction';
const CARE = 'https://continuum.example.nhs.uk/CodeSystem/care-setting';
const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
const SITE = 'https://fhir.nhs.uk/Id/ods-site-code';

function nhsNumber(i: number): string {
  for (let n = 999_000_000 + i * 7; ; n++) {
    const check = nhsNumberCheckDigit(String(n));
    if (check !== undefined) return `${n}${check}`;
  }
}
/** Names and birth dates unique per person (the matcher ignores digits in names): letters from the index. */
const letters = (i: number) =>
  Array.from({ length: 3 }, (_, k) => 'BCDFGHJKLMNPRSTVWZ'[Math.floor(i / 18 ** k) % 18]).join('');
const birthDate = (i: number) =>
  new Date(Date.UTC(1940, 0, 1) + i * 17 * 86_400_000).toISOString().slice(0, 10);
const gpId = (i: number) => `gp-${String(i).padStart(4, '0')}`;
const communityId = (i: number) => `ryy-${String(i).padStart(4, '0')}`;

function patient(id: string, i: number, practice: string): Patient {
  return {
    resourceType: 'Patient',
    id,
    identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhsNumber(i) }],
    name: [{ family: `Mar${letters(i)}ton`, given: [`A${letters(i).toLowerCase()}a`] }],
    gender: i % 2 ? 'female' : 'male',
    birthDate: birthDate(i),
    address: [{ use: 'home', postalCode: `YO${10 + (i % 20)} ${1 + (i % 9)}AB` }],
    generalPractitioner: [
      { reference: 'Organization/ods-y60001', identifier: { system: ODS, value: practice } },
    ],
  };
}
function consent(id: string, patientId: string, category: string): Consent {
  return {
    resourceType: 'Consent',
    id,
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'research' }] },
    category: [{ coding: [{ system: CONSENT_CATEGORY_SYSTEM, code: category }] }],
    patient: { reference: `Patient/${patientId}` },
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
    provision: { type: 'deny' },
  };
}
function communityContact(i: number): Encounter {
  return {
    resourceType: 'Encounter',
    id: `enc-${String(i).padStart(4, '0')}`,
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH' },
    type: [{ coding: [{ system: CARE, code: 'community' }] }],
    serviceType: { coding: [{ system: TFC, code: '950' }] },
    subject: { reference: `Patient/${communityId(i)}` },
    period: {
      start: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`,
      end: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}T10:30:00Z`,
    },
    serviceProvider: { reference: 'Organization/ods-ryy', identifier: { system: ODS, value: 'RYY' } },
  };
}
function gpAppointment(i: number): Appointment {
  return {
    resourceType: 'Appointment',
    id: `appt-${String(i).padStart(4, '0')}`,
    status: 'fulfilled',
    serviceCategory: [{ coding: [{ system: CARE, code: 'gp' }] }],
    start: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}T09:00:00Z`,
    end: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}T09:10:00Z`,
    minutesDuration: 10,
    participant: [
      { actor: { reference: `Patient/${gpId(i)}` }, status: 'accepted' },
      {
        actor: { reference: 'Location/ods-site-y60001', identifier: { system: SITE, value: 'Y60001' } },
        status: 'accepted',
      },
    ],
  };
}

const request = (overrides: Partial<ExtractRequest> = {}) =>
  checkExtractRequest({
    requester: 'analyst@icb.example',
    recipient: 'icb-bi',
    project: 'activity-2026',
    purpose: 'HOPERAT',
    legalBasis: 'NHS Act 2006 s.251; UK GDPR 6(1)(e), 9(2)(h)',
    dataSharingAgreement: 'DSA-2026-014',
    identifiability: 'identifiable',
    ...overrides,
  });

const optedOut = new Set(Array.from({ length: OPTED_OUT }, (_, k) => k * 27 + 3));
const objectors = new Set(Array.from({ length: TYPE_1 }, (_, k) => k * 27 + 5));

describe('a governed commissioning extract over 1,000 people, 37 of whom opted out', () => {
  const fixed = new Date('2026-12-01T00:00:00Z');
  let context: Awaited<ReturnType<typeof openExtractContext>>;
  let snapshot: Date;

  beforeAll(async () => {
    context = await openExtractContext(() => fixed);
    const bySource = new Map<string, Resource[]>([
      [GP, []],
      [COMMUNITY, []],
    ]);
    for (let i = 0; i < PEOPLE; i++) {
      bySource.get(GP)!.push(patient(gpId(i), i, 'Y60001'), gpAppointment(i));
      bySource.get(COMMUNITY)!.push(patient(communityId(i), i, 'Y60001'), communityContact(i));
      // the opt-out recorded by one source or the other: the community contact belongs to the other record
      if (optedOut.has(i))
        bySource
          .get(i % 2 ? GP : COMMUNITY)!
          .push(consent(`ndoo-${i}`, i % 2 ? gpId(i) : communityId(i), NATIONAL_DATA_OPT_OUT));
      if (objectors.has(i)) bySource.get(GP)!.push(consent(`t1-${i}`, gpId(i), GP_TYPE_1_OBJECTION));
    }
    for (const [sourceSystem, resources] of bySource) {
      const patients = resources.filter((resource) => resource.resourceType === 'Patient');
      const rest = resources.filter((resource) => resource.resourceType !== 'Patient');
      for (const group of [patients, rest])
        for (let at = 0; at < group.length; at += 500) {
          const results = await context.store.upsertMany(
            group.slice(at, at + 500).map((resource) => ({ resource })),
            { sourceSystem },
          );
          expect(results.filter((result) => result.outcome !== 'created')).toEqual([]);
        }
    }
    await context.linker.linkStored(
      Array.from({ length: PEOPLE }, (_, i) => [gpId(i), communityId(i)]).flat(),
    );
    snapshot = new Date();
  }, 600_000);
  afterAll(() => context?.close());

  const extract = (
    pack: 'community-contacts' | 'gp-appointments',
    out: string,
    overrides: Partial<ExtractRequest> = {},
  ) =>
    context.asExtractor(() =>
      context.extracts.run({
        pack,
        period: '2026-10',
        request: request(overrides),
        outDirectory: join(context.directory, out),
        transactionTime: snapshot,
      }),
    );
  const csvRows = (directory: string, name: string) =>
    readFileSync(join(directory, name), 'utf8')
      .split('\r\n')
      .filter(Boolean)
      .map((line) => line.split(','));

  it('gives exactly 963 people in the identifiable pack and no row of the 37, whichever source recorded the opt-out', async () => {
    const { manifest, directory } = await extract('community-contacts', 'identifiable');
    const [header, ...rows] = csvRows(directory, 'community-contacts-2026-10.csv');
    const nhs = header.indexOf('nhs_number');
    const people = new Set(rows.map((row) => row[nhs]));
    expect(people.size).toBe(PEOPLE - OPTED_OUT);
    for (const i of optedOut) expect(people.has(nhsNumber(i))).toBe(false);
    expect(rows).toHaveLength(PEOPLE - OPTED_OUT);
    expect(manifest.optOuts.nationalDataOptOut).toEqual({
      rowsRemoved: OPTED_OUT,
      personsRemoved: OPTED_OUT,
    });
    // community data is not GP data: the type 1 objectors stay
    expect(manifest.optOuts.gpType1Objection).toEqual({ rowsRemoved: 0, personsRemoved: 0 });
    expect(manifest.files).toEqual([
      expect.objectContaining({ name: 'community-contacts-2026-10.csv', rows: PEOPLE - OPTED_OUT }),
    ]);
    expect(manifest.organisationCodes?.provider_code).toEqual({
      checked: PEOPLE - OPTED_OUT,
      problems: 0,
      examples: [],
    });
    expect(manifest.organisationCodes?.commissioner_code?.problems).toBe(0);
  }, 300_000);

  it('removes the type 1 objectors from GP-sourced data as well', async () => {
    const { manifest } = await extract('gp-appointments', 'gp');
    expect(manifest.files[0].rows).toBe(PEOPLE - OPTED_OUT - TYPE_1);
    expect(manifest.optOuts.gpType1Objection).toEqual({ rowsRemoved: TYPE_1, personsRemoved: TYPE_1 });
  }, 300_000);

  it('skips the opt-outs only for a consented or anonymised flow, and audits that it did', async () => {
    const consented = await extract('community-contacts', 'consented', {
      optOutExemption: { basis: 'consented', reference: 'CONSENT-STUDY-7' },
    });
    expect(consented.manifest.files[0].rows).toBe(PEOPLE);
    expect(consented.manifest.optOuts.exemption).toEqual({
      basis: 'consented',
      reference: 'CONSENT-STUDY-7',
    });
    expect(() =>
      request({
        identifiability: 'pseudonymised',
        optOutExemption: { basis: 'anonymised', reference: 'DPIA-1' },
      }),
    ).toThrow(/only for aggregate outputs/);
    const audited = await context.sql<{ content: { outcomeDesc?: string } }[]>`
      SELECT content FROM audit_event WHERE content->>'outcomeDesc' LIKE 'opt-outs skipped under a consented exemption%'`;
    expect(audited.map((row) => row.content.outcomeDesc)).toEqual([
      'opt-outs skipped under a consented exemption (CONSENT-STUDY-7)',
    ]);
  }, 300_000);

  it('gives the same files and the same manifest apart from timestamps for the same inputs', async () => {
    const strip = (manifest: ExtractManifest) => ({ ...manifest, generatedAt: undefined });
    const first = await extract('community-contacts', 'again-1', { identifiability: 'aggregate' });
    const second = await extract('community-contacts', 'again-2', { identifiability: 'aggregate' });
    expect(strip(second.manifest)).toEqual(strip(first.manifest));
    for (const file of first.manifest.files)
      expect(readFileSync(join(second.directory, file.name))).toEqual(
        readFileSync(join(first.directory, file.name)),
      );
    const [header, ...cells] = csvRows(first.directory, 'community-contacts-2026-10-counts.csv');
    expect(header).toEqual([
      'provider_code',
      'treatment_function_code',
      'commissioner_code',
      'activity_month',
      'activity_count',
    ]);
    expect(cells).toEqual([['RYY', '950', '03Q', '2026-10', '965']]); // 963 rounded to the nearest 5
  }, 300_000);
});
