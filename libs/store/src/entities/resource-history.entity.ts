import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Every version of every resource, the current one included, kept apart from `resource` so reads and searches do
 * not slow down as histories grow. Partitioned by HASH (id) in the migration.
 */
@Entity({ name: 'resource_history' })
@Index('resource_history_last_updated_idx', ['lastUpdated'])
@Index('resource_history_type_last_updated_idx', ['resourceType', 'lastUpdated'])
export class ResourceHistoryEntity {
  @PrimaryColumn({ name: 'resource_type', type: 'text', primaryKeyConstraintName: 'resource_history_pkey' })
  resourceType!: string;

  @PrimaryColumn({ name: 'id', type: 'text', primaryKeyConstraintName: 'resource_history_pkey' })
  id!: string;

  @PrimaryColumn({ name: 'version_id', type: 'integer', primaryKeyConstraintName: 'resource_history_pkey' })
  versionId!: number;

  @Column({ name: 'last_updated', type: 'timestamptz' })
  lastUpdated!: Date;

  @Column({ name: 'deleted', type: 'boolean', default: false })
  deleted!: boolean;

  @Column({ name: 'source_system', type: 'text', nullable: true })
  sourceSystem!: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  /** Null for a deletion (tombstone) version. */
  @Column({ name: 'content', type: 'jsonb', nullable: true })
  content!: object | null;
}
