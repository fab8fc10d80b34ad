import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

const key = { primaryKeyConstraintName: 'consent_directive_pkey' };

/**
 * One directive of one patient's Consent (libs/fhir `consentDirectivesOf`), kept with the Consent's writes
 * (consent-directive.writer.ts) and read by every consent check (consent-directive.sql.ts). For the migration drift
 * check only: rows are written and read with postgres.js.
 */
@Entity({ name: 'consent_directive' })
@Index('consent_directive_patient_idx', ['patientId', 'kind'])
@Check('consent_directive_kind_ck', `kind IN ('sharing-objection', 'data-opt-out', 'gp-type-1-objection')`)
export class ConsentDirectiveEntity {
  /** The Consent's `resource.resource_key`. */
  @PrimaryColumn({ name: 'consent_key', type: 'bigint', ...key }) consentKey!: string;
  @PrimaryColumn({ name: 'ordinal', type: 'integer', ...key }) ordinal!: number;
  /** A patient whose compartment holds the Consent. */
  @Column({ name: 'patient_id', type: 'text' }) patientId!: string;
  @Column({ name: 'kind', type: 'text' }) kind!: string;
  /** ODS codes an objection still permits. */
  @Column({ name: 'permitted_organisations', type: 'text', array: true }) permittedOrganisations!: string[];
  /** In force from / until (inclusive), `-infinity` / `infinity` when open. */
  @Column({ name: 'starts_at', type: 'timestamptz' }) startsAt!: Date;
  @Column({ name: 'ends_at', type: 'timestamptz' }) endsAt!: Date;
}
