import { uniqueSuffix } from '@continuum/testing';
import type { AuditEvent } from 'fhir/r4';
import type postgres from 'postgres';
import { AuditChainVerifier, type ChainReport } from '../audit-chain.verifier';

/** An AuditEvent naming one patient in the Patient role (as the API's builder does) and an agent. */
export const anAuditEvent = (patient: string): AuditEvent => ({
  resourceType: 'AuditEvent',
  id: `ae-${uniqueSuffix()}`,
  type: { code: 'rest' },
  subtype: [{ code: 'read' }],
  recorded: new Date().toISOString(),
  outcome: '0',
  agent: [{ who: { identifier: { value: 'dr-1' } }, requestor: true }],
  source: { observer: { display: 'int-test' } },
  entity: [{ what: { reference: `Patient/${patient}` }, role: { code: '1' } }],
});

/** The patients an event names, by the API's rule (Patient references in the Patient role). */
export const patientsOf = (event: AuditEvent) =>
  (event.entity ?? []).flatMap((entity) =>
    entity.role?.code === '1' && entity.what?.reference?.startsWith('Patient/')
      ? [entity.what.reference.slice('Patient/'.length)]
      : [],
  );

/** One edit per column of audit_event, as a superuser could make it with the append-only trigger off. */
export const COLUMN_EDITS: [column: string, assignment: string][] = [
  ['seq', 'seq = seq + 1000000'],
  ['id', "id = id || '-edited'"],
  ['recorded', "recorded = recorded - interval '1 day'"],
  ['patient_ids', "patient_ids = array_append(patient_ids, 'another-patient')"],
  ['agent', "agent = 'someone-else'"],
  ['subtype', "subtype = 'vread'"],
  ['outcome', "outcome = '4'"],
  ['content', `content = jsonb_set(content, '{outcome}', '"4"')`],
  ['prev_hash', "prev_hash = repeat('0', 64)"],
  ['hash', "hash = repeat('f', 64)"],
  ['chain_version', 'chain_version = 3 - chain_version'],
];

class RolledBack extends Error {}

/**
 * Applies `assignment` to row `seq` with triggers off (`session_replication_role = replica`, what a superuser can
 * do), verifies the chain in that state, and rolls the edit back: the report the edit would have given.
 */
export async function verifyWithEdit(
  sql: postgres.Sql,
  seq: number,
  assignment: string,
): Promise<ChainReport> {
  let report: ChainReport | undefined;
  await sql
    .begin(async (tx) => {
      await tx`SET LOCAL session_replication_role = replica`;
      await tx.unsafe(`UPDATE audit_event SET ${assignment} WHERE seq = ${seq}`);
      report = await new AuditChainVerifier().verify(tx);
      throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  if (!report) throw new Error('no report');
  return report;
}
