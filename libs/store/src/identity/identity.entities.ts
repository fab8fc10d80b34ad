import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

/**
 * How a source Patient relates to a person (issue #13; the states of HAPI MDM and IHE PMIR):
 * - MATCH: the patient is this person (at most one per patient);
 * - POSSIBLE_MATCH: the matcher could not decide; a reviewer accepts (MATCH) or rejects (NO_MATCH);
 * - NO_MATCH: decided not to be this person (kept, so the matcher does not propose it again);
 * - POSSIBLE_DUPLICATE: two persons that may be one human (patient_id names a representative record);
 * - REDIRECT: the patient was merged into another (HL7 A40); reads of it answer for the survivor.
 */
export type LinkState = 'MATCH' | 'POSSIBLE_MATCH' | 'NO_MATCH' | 'POSSIBLE_DUPLICATE' | 'REDIRECT';
export const LINK_STATES: readonly LinkState[] = [
  'MATCH',
  'POSSIBLE_MATCH',
  'NO_MATCH',
  'POSSIBLE_DUPLICATE',
  'REDIRECT',
];

/** The matcher's per-field weights, or `{ reason }` for a decision taken without comparing. */
export type LinkExplanation = Record<string, unknown>;

/** AUTO: decided by the matcher; MANUAL: by an operator or a source's merge message, never overwritten by the matcher. */
export type LinkOrigin = 'AUTO' | 'MANUAL';

/** A person: the golden identity of one human, to which each source's Patient records are linked. */
@Entity({ name: 'identity_person' })
export class PersonEntity {
  @PrimaryColumn({ name: 'id', type: 'uuid', primaryKeyConstraintName: 'identity_person_pkey' })
  id!: string;

  /** Set when this person was found to be another and folded into it; its links moved there. */
  @Column({ name: 'merged_into', type: 'uuid', nullable: true })
  mergedInto!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn({ name: 'version' })
  version!: number;
}

/** The current link between a source Patient (the FHIR resource id) and a person. */
@Entity({ name: 'identity_link' })
@Check(
  'identity_link_state_check',
  `"state" IN ('MATCH', 'POSSIBLE_MATCH', 'NO_MATCH', 'POSSIBLE_DUPLICATE', 'REDIRECT')`,
)
@Check('identity_link_origin_check', `"origin" IN ('AUTO', 'MANUAL')`)
@Index('identity_link_person_idx', ['personId', 'state'])
@Index('identity_link_one_match_per_patient', ['patientId'], {
  unique: true,
  where: `"state" IN ('MATCH', 'REDIRECT')`,
})
@Index('identity_link_review_idx', ['state', 'updatedAt'], {
  where: `"state" IN ('POSSIBLE_MATCH', 'POSSIBLE_DUPLICATE')`,
})
export class PatientLinkEntity {
  @PrimaryColumn({ name: 'patient_id', type: 'text', primaryKeyConstraintName: 'identity_link_pkey' })
  patientId!: string;

  @PrimaryColumn({ name: 'person_id', type: 'uuid', primaryKeyConstraintName: 'identity_link_pkey' })
  personId!: string;

  @ManyToOne(() => PersonEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'person_id', foreignKeyConstraintName: 'identity_link_person_fkey' })
  person?: PersonEntity;

  @Column({ name: 'state', type: 'text' })
  state!: LinkState;

  @Column({ name: 'origin', type: 'text' })
  origin!: LinkOrigin;

  /** The matcher's probability that the patient is this person (null for manual decisions). */
  @Column({ name: 'score', type: 'double precision', nullable: true })
  score!: number | null;

  /** The matcher's per-field explanation, or the operator's reason. */
  @Column({ name: 'explanation', type: 'jsonb', nullable: true })
  explanation!: object | null; // a LinkExplanation (typed loosely: TypeORM's partial types cannot recurse into it)

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn({ name: 'version' })
  version!: number;
}

/** Every change of a link, append-only: who or what decided, from which state to which, and why. */
@Entity({ name: 'identity_link_event' })
@Index('identity_link_event_patient_idx', ['patientId', 'seq'])
@Index('identity_link_event_person_idx', ['personId', 'seq'])
export class LinkEventEntity {
  @PrimaryGeneratedColumn({
    name: 'seq',
    type: 'bigint',
    primaryKeyConstraintName: 'identity_link_event_pkey',
  })
  seq!: string;

  @Column({ name: 'patient_id', type: 'text' })
  patientId!: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId!: string;

  /** Null when the link did not exist before. */
  @Column({ name: 'previous_state', type: 'text', nullable: true })
  previousState!: LinkState | null;

  /** Null when the link was removed (its person merged away). */
  @Column({ name: 'state', type: 'text', nullable: true })
  state!: LinkState | null;

  @Column({ name: 'origin', type: 'text' })
  origin!: LinkOrigin;

  @Column({ name: 'score', type: 'double precision', nullable: true })
  score!: number | null;

  /** Who decided: `matcher`, an operator's subject, or the source message (e.g. `hl7v2:A40:<control id>`). */
  @Column({ name: 'actor', type: 'text' })
  actor!: string;

  @Column({ name: 'reason', type: 'text', nullable: true })
  reason!: string | null;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}

/**
 * The blocking keys of each source Patient, to find the records worth comparing with a new one. Hashed: the keys
 * are made of identifying values (NHS number, names, birth date, postcode).
 */
@Entity({ name: 'identity_block_key' })
@Index('identity_block_key_patient_idx', ['patientId'])
export class BlockKeyEntity {
  @PrimaryColumn({ name: 'key', type: 'text', primaryKeyConstraintName: 'identity_block_key_pkey' })
  key!: string;

  @PrimaryColumn({ name: 'patient_id', type: 'text', primaryKeyConstraintName: 'identity_block_key_pkey' })
  patientId!: string;
}

export const IDENTITY_ENTITIES = [PersonEntity, PatientLinkEntity, LinkEventEntity, BlockKeyEntity];
