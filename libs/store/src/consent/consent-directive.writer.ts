import { consentDirectivesOf } from '@continuum/fhir';
import type { Consent, Resource } from 'fhir/r4';
import type postgres from 'postgres';

const instant = (ms: number) =>
  ms === -Infinity ? '-infinity' : ms === Infinity ? 'infinity' : new Date(ms).toISOString();

interface ConsentRowRead {
  resource_key: string;
  deleted: boolean;
  content: Resource | null;
  compartments: string[];
}

/** A Consent's current row, as far as its directives go; `content` null once it is deleted. */
export interface ConsentRow {
  resourceType: string;
  resourceKey: string;
  content: Resource | null;
  /** The patients whose compartments hold it. */
  compartments: string[];
  /** False for a Consent stored by this very write (a fresh key): it has no directive rows to replace. */
  mayHaveRows: boolean;
}

/**
 * Keeps `consent_directive` in step with Consent resources, inside the transaction that writes them (as the search
 * index is kept): a Consent's rows are replaced by the directives of its new version (none once it is deleted,
 * inactive, or no longer an objection or opt-out), one row per directive and patient whose compartment holds it.
 * Other resource types are ignored.
 */
export class ConsentDirectiveWriter {
  async write(tx: postgres.TransactionSql, rows: ConsentRow[]): Promise<void> {
    const consents = rows.filter((row) => row.resourceType === 'Consent');
    if (consents.length === 0) return;
    const replaced = consents.filter((row) => row.mayHaveRows).map((row) => row.resourceKey);
    if (replaced.length)
      await tx`DELETE FROM consent_directive WHERE consent_key = ANY(${replaced}::bigint[])`;
    const directives = consents.flatMap((consent) => {
      const found = consent.content ? consentDirectivesOf(consent.content as Consent) : [];
      return consent.compartments.flatMap((patientId) =>
        found.map((directive) => ({ key: consent.resourceKey, patientId, directive })),
      );
    });
    if (directives.length === 0) return;
    await tx`
      INSERT INTO consent_directive (consent_key, ordinal, patient_id, kind, permitted_organisations, starts_at, ends_at)
      SELECT k, o, p, kind, ARRAY(SELECT jsonb_array_elements_text(orgs)), s, e FROM unnest(
        ${directives.map((row) => row.key)}::bigint[],
        ${directives.map((_, i) => i)}::int[],
        ${directives.map((row) => row.patientId)}::text[],
        ${directives.map((row) => row.directive.kind)}::text[],
        ${directives.map((row) => JSON.stringify(row.directive.permittedOrganisations))}::text[]::jsonb[],
        ${directives.map((row) => instant(row.directive.start))}::text[]::timestamptz[],
        ${directives.map((row) => instant(row.directive.end))}::text[]::timestamptz[]
      ) AS x(k, o, p, kind, orgs, s, e)`;
  }

  /**
   * Rebuilds the directives of every stored Consent, in resource_key order, one transaction per batch: for Consents
   * stored before the table existed (migration CreateConsentDirectiveTable). Idempotent, and resumable from the last
   * key it reported (`after`).
   */
  async rebuild(
    sql: postgres.Sql,
    options: { batchSize?: number; after?: string; onBatch?: (done: number, lastKey: string) => void } = {},
  ): Promise<number> {
    const batchSize = options.batchSize ?? 500;
    let after = options.after ?? '-1';
    let done = 0;
    for (;;) {
      // read and rewritten in one transaction, the Consent rows share-locked: a concurrent write of one of them
      // (which locks its row for update) either lands before this batch reads it or waits until it is done
      const batch = await sql.begin(async (tx) => {
        const rows = await tx<ConsentRowRead[]>`
          SELECT resource_key, deleted, content, compartments FROM resource
          WHERE resource_type = 'Consent' AND resource_key > ${after}::bigint
          ORDER BY resource_key LIMIT ${batchSize} FOR SHARE`;
        await this.write(
          tx,
          rows.map((row) => ({
            resourceType: 'Consent',
            resourceKey: row.resource_key,
            content: row.deleted ? null : row.content,
            compartments: row.compartments,
            mayHaveRows: true,
          })),
        );
        return rows;
      });
      if (batch.length === 0) return done;
      done += batch.length;
      after = batch[batch.length - 1].resource_key;
      options.onBatch?.(done, after);
      if (batch.length < batchSize) return done;
    }
  }
}
