import { parseSearchRequest } from '@continuum/fhir';
import type { FhirResource, Observation, Patient } from 'fhir/r4';
import postgres from 'postgres';
import { ResourceSearcher, type SearchOptions } from './resource-searcher';
import { analyzeSearchTables, storeResources, suffix, TEST_DATABASE_URL } from './testing/search-fixture';

interface PlanNode {
  'Node Type': string;
  'Subplan Name'?: string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

/**
 * Issue #14, gap 4: inside a compartment (a patient/ token, `$everything`, or a search pinned to patients by its own
 * filters) a chain or `_has` is checked for each of the few rows found, an index probe from the row, instead of a
 * join Postgres may drive from the other side (every Patient, every reference: it ran to the 30 s statement timeout).
 * The answers are those of the same search without the compartment, narrowed to it.
 */
describe('chains and _has inside a compartment are checked row by row', () => {
  const statements: { text: string; params: unknown[] }[] = [];
  const sql = postgres(TEST_DATABASE_URL, {
    max: 2,
    onnotice: () => undefined,
    types: { bigint: { to: 20, from: [20], serialize: (v: string) => v, parse: (v: string) => v } },
    debug: (_connection, text, params) => statements.push({ text, params: params as unknown[] }),
  });
  const searcher = new ResourceSearcher(sql);
  const s = suffix();
  const nhs = 'https://fhir.nhs.uk/Id/nhs-number';
  const patient = (id: string): Patient => ({
    resourceType: 'Patient',
    id: `${id}-${s}`,
    identifier: [{ system: nhs, value: `${id}${s}` }],
  });
  const observation = (id: string, subject: string): Observation => ({
    resourceType: 'Observation',
    id: `${id}-${s}`,
    status: 'final',
    code: { coding: [{ system: 'urn:row-by-row', code: s }] },
    subject: { reference: `Patient/${subject}-${s}` },
  });
  const search = async (type: string, query: string, options: SearchOptions) => {
    statements.length = 0;
    const result = await searcher.search(parseSearchRequest(type, new URLSearchParams(query)), options);
    return { ids: result.matches.map((found) => found.id.replace(`-${s}`, '')).sort(), sql: statements[0] };
  };
  /**
   * The statement's plan. The test's tables are small enough to read whole, so sequential scans are priced out:
   * the plan then shows which indexes the SQL lets Postgres use, as it would on a large store.
   */
  const plan = (statement: { text: string; params: unknown[] }) =>
    sql.begin(async (tx) => {
      await tx`SET LOCAL enable_seqscan = off`;
      const [row] = await tx.unsafe<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(
        `EXPLAIN (FORMAT JSON) ${statement.text}`,
        statement.params as never[],
      );
      return nodes(row['QUERY PLAN'][0].Plan);
    });

  beforeAll(async () => {
    await storeResources(sql, [
      patient('a'),
      patient('b'),
      observation('a1', 'a'),
      observation('a2', 'a'),
      observation('b1', 'b'),
    ] as FhirResource[]);
    await analyzeSearchTables(sql);
  });
  afterAll(() => sql.end());

  it('a patient/ token’s chained identifier: right answers, one probe per compartment row', async () => {
    const own = { compartment: { patientIds: [`a-${s}`] } };
    const mine = await search('Observation', `patient.identifier=${nhs}|a${s}`, own);
    expect(mine.ids).toEqual(['a1', 'a2']);
    expect(await search('Observation', `patient.identifier=${nhs}|b${s}`, own)).toMatchObject({ ids: [] });
    const steps = await plan(mine.sql);
    const subPlans = steps.filter((step) => step['Subplan Name']?.startsWith('SubPlan'));
    expect(subPlans).toHaveLength(1);
    // the reference rows of the chain are read by the row's key, not by the chain's target
    const references = nodes(subPlans[0]).filter((step) =>
      step['Relation Name']?.startsWith('search_reference'),
    );
    expect(references.length).toBeGreaterThan(0);
    expect(references.every((step) => step['Index Cond']?.includes('resource_key = r.resource_key'))).toBe(
      true,
    );
  });

  it('a clinician’s patient=X&patient.identifier=Y is pinned to X and checked row by row', async () => {
    const pinned = await search('Observation', `patient=b-${s}&patient.identifier=${nhs}|b${s}`, {});
    expect(pinned.ids).toEqual(['b1']);
    expect(pinned.sql.text).toMatch(/compartments && .* OFFSET 0\)/s);
    expect((await plan(pinned.sql)).some((step) => step['Subplan Name']?.startsWith('SubPlan'))).toBe(true);
    expect((await search('Observation', `patient=b-${s}&patient.identifier=${nhs}|a${s}`, {})).ids).toEqual(
      [],
    );
  });

  it('_has inside a compartment, row by row too', async () => {
    const has = await search('Patient', `_has:Observation:subject:code=urn:row-by-row|${s}`, {
      compartment: { patientIds: [`a-${s}`, `b-${s}`] },
    });
    expect(has.ids).toEqual(['a', 'b']);
    expect((await plan(has.sql)).filter((step) => step['Subplan Name']?.startsWith('SubPlan'))).toHaveLength(
      1,
    );
  });

  it('without a compartment a chain stays a join the planner may drive from its most selective side', async () => {
    const open = await search('Observation', `patient.identifier=${nhs}|a${s}`, {});
    expect(open.ids).toEqual(['a1', 'a2']);
    expect(open.sql.text).not.toMatch(/OFFSET 0/);
  });
});
