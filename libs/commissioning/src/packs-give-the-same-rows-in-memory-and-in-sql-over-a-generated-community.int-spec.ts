import { agreeing, memoryEngine, type SuiteFile, type ViewEngine } from '@continuum/fhir';
import { CommunityGenerator } from '@continuum/generator';
import { JOIN_VIEWS, PACK_NAMES, PACK_VIEWS } from '@continuum/governance';
import { scratchViewEngine } from '@continuum/store';
import { openTestStore, token } from '@continuum/store/testing/test-store';
import type postgres from 'postgres';

// Every pack (and the two shared views it joins) run by both SQL on FHIR engines, the in-memory evaluator and the
// view compiled to Postgres SQL, over one generated community: the same rows in the same order, and every pack has
// activity to count (the generator's commissioning content).
const PEOPLE = 80;

describe('the extract packs over a generated community', () => {
  let sql: postgres.Sql;
  let close: () => Promise<void>;
  let engine: ViewEngine;
  let dropScratch: () => Promise<void>;
  let file: SuiteFile;

  beforeAll(async () => {
    ({ sql, close } = await openTestStore());
    const sqlEngine = await scratchViewEngine(sql, `packs_${token()}`);
    dropScratch = sqlEngine.close;
    engine = agreeing(memoryEngine, sqlEngine.engine);
    const generator = new CommunityGenerator({ seed: 'packs', formats: ['ndjson'], today: '2026-11-01' });
    const resources = [
      ...generator.directory().resources,
      ...Array.from({ length: PEOPLE }, (_, i) => generator.person(i).resources).flat(),
    ].map((resource) => JSON.parse(resource.json) as SuiteFile['resources'][number]);
    file = { title: 'generated community', resources, tests: [] };
  }, 300_000);
  afterAll(async () => {
    await dropScratch?.();
    await close?.();
  });

  it.each([...PACK_NAMES, 'patient', 'procedure'])(
    '%s: both engines agree, and it has rows',
    async (name) => {
      const view = PACK_VIEWS[name as keyof typeof PACK_VIEWS] ?? JOIN_VIEWS[name as keyof typeof JOIN_VIEWS];
      const outcome = await engine(view, file);
      if ('error' in outcome) throw outcome.error;
      expect(outcome.rows.length).toBeGreaterThan(0);
      expect(outcome.columns).toEqual(
        view.select.flatMap((select) => (select.column ?? []).map((column) => column.name)),
      );
    },
    120_000,
  );

  it('finds the commissioning content where it belongs: admission methods, treatment functions, ICD-10, OPCS-4', async () => {
    const rows = async (view: unknown) => {
      const outcome = await engine(view, file);
      if ('error' in outcome) throw outcome.error;
      return outcome.rows;
    };
    const apc = await rows(PACK_VIEWS['admitted-patient-care']);
    expect(new Set(apc.map((row) => row.admission_method))).toContain('21');
    expect(apc.every((row) => typeof row.treatment_function_code === 'string')).toBe(true);
    expect(apc.some((row) => /^[A-Z]\d\d/.test(String(row.primary_diagnosis_icd10)))).toBe(true);
    expect(apc.every((row) => row.provider_code === 'RXX' && row.site_of_treatment_code === 'RXX01')).toBe(
      true,
    );
    const mentalHealth = await rows(PACK_VIEWS['mental-health-contacts']);
    expect(
      mentalHealth.every((row) => ['710', '711', '715'].includes(String(row.treatment_function_code))),
    ).toBe(true);
    const procedures = await rows(JOIN_VIEWS.procedure);
    expect(procedures.every((row) => /^[A-Z]\d\d\.\d$/.test(String(row.primary_procedure_opcs)))).toBe(true);
    const patients = await rows(JOIN_VIEWS.patient);
    expect(patients.some((row) => /^Y600\d\d$/.test(String(row.general_medical_practice_code)))).toBe(true);
  }, 120_000);
});
