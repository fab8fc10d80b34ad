import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The current version of every resource, one row per (resource_type, id), deleted ones as tombstones.
 * Partitioned by LIST (resource_type) in the migration (TypeORM cannot express partitioning).
 * Internal: FHIR JSON in `content` is the public contract, not this row.
 */
@Entity({ name: 'resource' })
@Index('resource_key_uq', ['resourceKey', 'resourceType'], { unique: true })
@Index('resource_type_last_updated_idx', ['resourceType', 'lastUpdated'])
@Index('resource_compartments_gin', { synchronize: false })
export class ResourceEntity {
  @PrimaryColumn({ name: 'resource_type', type: 'text', primaryKeyConstraintName: 'resource_pkey' })
  resourceType!: string;

  @PrimaryColumn({ name: 'id', type: 'text', primaryKeyConstraintName: 'resource_pkey' })
  id!: string;

  /** Surrogate key from `resource_key_seq`, never reused; what search index rows reference. */
  @Column({ name: 'resource_key', type: 'bigint' })
  resourceKey!: string;

  @Column({ name: 'version_id', type: 'integer' })
  versionId!: number;

  @Column({ name: 'last_updated', type: 'timestamptz' })
  lastUpdated!: Date;

  @Column({ name: 'deleted', type: 'boolean', default: false })
  deleted!: boolean;

  @Column({ name: 'source_system', type: 'text', nullable: true })
  sourceSystem!: string | null;

  /** The source system's own time of this change (ingestion's stale-message guard); null for API writes. */
  @Column({ name: 'source_updated', type: 'timestamptz', nullable: true })
  sourceUpdated!: Date | null;

  /** Ids of the patients whose compartment holds this resource, computed at write. */
  @Column({ name: 'compartments', type: 'text', array: true, default: () => "'{}'" })
  compartments!: string[];

  @Column({ name: 'content', type: 'jsonb', nullable: true })
  content!: object | null;
}
