import { forbidden, IdentifierSystem } from '@continuum/fhir';
import type { MergePreview, MergeResult, PatientMergeService, UnmergeResult } from '@continuum/store';
import type { AccessContext } from '../access/access-context';
import { IDENTITY_ADMIN } from '../access/access-context';
import type { AccessGuardrails } from '../access/access.guardrails';
import type { AuditRecorder } from '../audit/audit.recorder';

/**
 * An identity administrator's merge and unmerge of source Patients, for apps that serve people (the API's
 * `Patient/$merge` and `Patient/$unmerge`). Only the role identity-admin with a scope that writes Patients (reads,
 * for a preview) may; every call is audited as an operation naming both patients, and a merge's audit row commits
 * in the merge's own transaction. The work is the store's PatientMergeService, which apps serving people cannot
 * reach otherwise (ESLint keeps it out of their imports).
 */
export class PatientMergeAdministration {
  constructor(
    private readonly merges: PatientMergeService,
    private readonly guardrails: AccessGuardrails,
    private readonly audit: AuditRecorder,
  ) {}

  /** What the merge would change (counts per type to re-point, the resulting Patients), changing nothing. */
  preview(mergedPatientId: string, survivingPatientId: string): Promise<MergePreview> {
    return this.audit.audited('operation', async (target, access) => {
      this.authorise(access, 'r', target, [mergedPatientId, survivingPatientId]);
      return this.merges.preview({ mergedPatientId, survivingPatientId });
    });
  }

  merge(mergedPatientId: string, survivingPatientId: string, reason?: string): Promise<MergeResult> {
    return this.audit.audited('operation', async (target, access, inTransaction) => {
      this.authorise(access, 'u', target, [mergedPatientId, survivingPatientId]);
      const result = await this.merges.merge({
        mergedPatientId,
        survivingPatientId,
        reason,
        agent: operatorOf(access),
        inTransaction,
      });
      target.resources.push(
        ...result.repointed,
        ...(result.provenanceId ? [`Provenance/${result.provenanceId}`] : []),
      );
      return result;
    });
  }

  unmerge(mergedPatientId: string, reason?: string): Promise<UnmergeResult> {
    return this.audit.audited('operation', async (target, access, inTransaction) => {
      this.authorise(access, 'u', target, [mergedPatientId]);
      const result = await this.merges.unmerge({
        mergedPatientId,
        reason,
        agent: operatorOf(access),
        inTransaction,
      });
      target.patientIds.add(result.surviving.id!);
      target.resources.push(...result.restored, `Provenance/${result.provenanceId}`);
      return result;
    });
  }

  private authorise(
    access: AccessContext,
    interaction: 'r' | 'u',
    target: { patientIds: Set<string>; resources: string[] },
    patientIds: string[],
  ): void {
    for (const id of patientIds) {
      target.patientIds.add(id);
      target.resources.push(`Patient/${id}`);
    }
    if (access.role !== IDENTITY_ADMIN)
      throw forbidden(
        'Merging and unmerging patients is for an identity administrator (role identity-admin)',
      );
    this.guardrails.assertScope(access, 'Patient', interaction);
  }
}

function operatorOf(access: AccessContext) {
  return {
    display: access.subject,
    role: 'performer' as const,
    ...(access.organisation
      ? { identifier: { system: IdentifierSystem.odsOrganisationCode, value: access.organisation } }
      : {}),
  };
}
