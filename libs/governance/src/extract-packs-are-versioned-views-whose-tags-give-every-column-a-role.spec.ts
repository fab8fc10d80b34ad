import { planView } from '@continuum/fhir';
import { JOIN_VIEWS, PACK_NAMES, PACK_VIEWS, packColumns, packLayout, PackError } from './extract-packs';
import { releasedColumns, checkExtractRequest } from './governed-extract';

const request = (identifiability: string) =>
  checkExtractRequest({
    requester: 'a',
    recipient: 'r',
    project: 'p',
    purpose: 'HOPERAT',
    legalBasis: 'lb',
    dataSharingAgreement: 'dsa',
    identifiability,
  });

describe('extract packs', () => {
  it('are valid ViewDefinitions with a canonical url, a version and a status', () => {
    for (const view of [...Object.values(PACK_VIEWS), ...Object.values(JOIN_VIEWS)]) {
      expect(view.url).toMatch(/^https:\/\/continuum\.example\.nhs\.uk\/ViewDefinition\/commissioning\//);
      expect(view.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(view.status).toBe('active');
      expect(() => planView(view)).not.toThrow();
    }
  });

  it('give every column a governance role, a description and, for activity, a month and provider to count by', () => {
    for (const name of PACK_NAMES) {
      const layout = packLayout(name);
      expect(layout.every((column) => column.description.length > 0)).toBe(true);
      expect(layout.filter((column) => column.activityDate)).toHaveLength(1);
      const dimensions = layout.flatMap((column) => (column.dimension ? [column.dimension] : []));
      expect(dimensions).toEqual(expect.arrayContaining(['provider', 'service', 'commissioner', 'month']));
      expect(layout.find((column) => column.role === 'nhs-number')?.name).toBe('nhs_number');
    }
  });

  it('release the NHS number as a pseudonym, or not at all in aggregates, and keys only in identifiable extracts', () => {
    const layout = packLayout('admitted-patient-care');
    expect(releasedColumns(layout, request('pseudonymised'))).toEqual(
      expect.arrayContaining([
        'nhs_number_pseudonym',
        'admission_method',
        'primary_procedure_opcs',
        'commissioner_code',
      ]),
    );
    for (const kind of ['pseudonymised', 'aggregate']) {
      const released = releasedColumns(layout, request(kind));
      expect(released).not.toContain('nhs_number');
      expect(released).not.toContain('patient_key');
      expect(released).not.toContain('diagnosis_description'); // free text, dropped by default
    }
    expect(releasedColumns(layout, request('identifiable'))).toEqual(
      expect.arrayContaining(['nhs_number', 'activity_key']),
    );
  });

  it('refuse a view with a column whose role is not tagged', () => {
    const view = { ...PACK_VIEWS['emergency-care'], select: [{ column: [{ name: 'x', path: 'id' }] }] };
    expect(() => packColumns(view)).toThrow(PackError);
  });
});
