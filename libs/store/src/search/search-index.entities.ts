import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

// The search index tables as TypeORM sees them, for the migration drift check only: rows are written and read with
// postgres.js (search-index.writer.ts, resource-searcher.ts). Partitioning and the trigram index live in
// CreateSearchIndexTables, which TypeORM cannot express. Columns: see docs/search-design.md, "Search index".

const key = (table: string) => ({ primaryKeyConstraintName: `${table}_pkey` });

@Entity({ name: 'search_string' })
@Index('search_string_value_idx', ['resourceType', 'code', 'value'])
@Index('search_string_trgm_idx', { synchronize: false })
export class SearchStringEntity {
  @PrimaryColumn({ name: 'resource_type', type: 'text', ...key('search_string') }) resourceType!: string;
  @PrimaryColumn({ name: 'resource_key', type: 'bigint', ...key('search_string') }) resourceKey!: string;
  @PrimaryColumn({ name: 'code', type: 'text', ...key('search_string') }) code!: string;
  @PrimaryColumn({ name: 'ordinal', type: 'integer', ...key('search_string') }) ordinal!: number;
  @Column({ name: 'value', type: 'text', collation: 'C' }) value!: string;
  @Column({ name: 'exact', type: 'text' }) exact!: string;
}

@Entity({ name: 'search_token' })
@Index('search_token_value_idx', ['resourceType', 'code', 'value', 'systemHash'])
export class SearchTokenEntity {
  @PrimaryColumn({ name: 'resource_type', type: 'text', ...key('search_token') }) resourceType!: string;
  @PrimaryColumn({ name: 'resource_key', type: 'bigint', ...key('search_token') }) resourceKey!: string;
  @PrimaryColumn({ name: 'code', type: 'text', ...key('search_token') }) code!: string;
  @PrimaryColumn({ name: 'ordinal', type: 'integer', ...key('search_token') }) ordinal!: number;
  @Column({ name: 'system_hash', type: 'bigint', nullable: true }) systemHash!: string | null;
  @Column({ name: 'value', type: 'text', collation: 'C', nullable: true }) value!: string | null;
}

@Entity({ name: 'search_date' })
@Index('search_date_start_idx', ['resourceType', 'code', 'startAt', 'endAt'])
@Index('search_date_end_idx', ['resourceType', 'code', 'endAt'])
export class SearchDateEntity {
  @PrimaryColumn({ name: 'resource_type', type: 'text', ...key('search_date') }) resourceType!: string;
  @PrimaryColumn({ name: 'resource_key', type: 'bigint', ...key('search_date') }) resourceKey!: string;
  @PrimaryColumn({ name: 'code', type: 'text', ...key('search_date') }) code!: string;
  @PrimaryColumn({ name: 'ordinal', type: 'integer', ...key('search_date') }) ordinal!: number;
  @Column({ name: 'start_at', type: 'timestamptz' }) startAt!: Date;
  @Column({ name: 'end_at', type: 'timestamptz' }) endAt!: Date;
}

@Entity({ name: 'search_number' })
@Index('search_number_value_idx', ['resourceType', 'code', 'low', 'high'])
export class SearchNumberEntity {
  @PrimaryColumn({ name: 'resource_type', type: 'text', ...key('search_number') }) resourceType!: string;
  @PrimaryColumn({ name: 'resource_key', type: 'bigint', ...key('search_number') }) resourceKey!: string;
  @PrimaryColumn({ name: 'code', type: 'text', ...key('search_number') }) code!: string;
  @PrimaryColumn({ name: 'ordinal', type: 'integer', ...key('search_number') }) ordinal!: number;
  @Column({ name: 'low', type: 'numeric', nullable: true }) low!: string | null;
  @Column({ name: 'high', type: 'numeric', nullable: true }) high!: string | null;
}

@Entity({ name: 'search_quantity' })
@Index('search_quantity_value_idx', ['resourceType', 'code', 'unit', 'low', 'high'])
export class SearchQuantityEntity {
  @PrimaryColumn({ name: 'resource_type', type: 'text', ...key('search_quantity') }) resourceType!: string;
  @PrimaryColumn({ name: 'resource_key', type: 'bigint', ...key('search_quantity') }) resourceKey!: string;
  @PrimaryColumn({ name: 'code', type: 'text', ...key('search_quantity') }) code!: string;
  @PrimaryColumn({ name: 'ordinal', type: 'integer', ...key('search_quantity') }) ordinal!: number;
  @Column({ name: 'low', type: 'numeric', nullable: true }) low!: string | null;
  @Column({ name: 'high', type: 'numeric', nullable: true }) high!: string | null;
  @Column({ name: 'system_hash', type: 'bigint', nullable: true }) systemHash!: string | null;
  @Column({ name: 'unit', type: 'text', collation: 'C', nullable: true }) unit!: string | null;
  @Column({ name: 'unit_text', type: 'text', nullable: true }) unitText!: string | null;
  @Column({ name: 'canonical', type: 'boolean', default: false }) canonical!: boolean;
}

@Entity({ name: 'search_reference' })
@Index('search_reference_target_idx', ['resourceType', 'code', 'targetId', 'targetType'])
export class SearchReferenceEntity {
  @PrimaryColumn({ name: 'resource_type', type: 'text', ...key('search_reference') }) resourceType!: string;
  @PrimaryColumn({ name: 'resource_key', type: 'bigint', ...key('search_reference') }) resourceKey!: string;
  @PrimaryColumn({ name: 'code', type: 'text', ...key('search_reference') }) code!: string;
  @PrimaryColumn({ name: 'ordinal', type: 'integer', ...key('search_reference') }) ordinal!: number;
  @Column({ name: 'target_type', type: 'text', collation: 'C', nullable: true }) targetType!: string | null;
  @Column({ name: 'target_id', type: 'text', collation: 'C' }) targetId!: string;
}

@Entity({ name: 'search_uri' })
@Index('search_uri_value_idx', ['resourceType', 'code', 'value'])
export class SearchUriEntity {
  @PrimaryColumn({ name: 'resource_type', type: 'text', ...key('search_uri') }) resourceType!: string;
  @PrimaryColumn({ name: 'resource_key', type: 'bigint', ...key('search_uri') }) resourceKey!: string;
  @PrimaryColumn({ name: 'code', type: 'text', ...key('search_uri') }) code!: string;
  @PrimaryColumn({ name: 'ordinal', type: 'integer', ...key('search_uri') }) ordinal!: number;
  @Column({ name: 'value', type: 'text', collation: 'C' }) value!: string;
}

@Entity({ name: 'search_composite' })
@Index('search_composite_value_idx', ['resourceType', 'code', 'value', 'systemHash'])
export class SearchCompositeEntity {
  @PrimaryColumn({ name: 'resource_type', type: 'text', ...key('search_composite') }) resourceType!: string;
  @PrimaryColumn({ name: 'resource_key', type: 'bigint', ...key('search_composite') }) resourceKey!: string;
  @PrimaryColumn({ name: 'code', type: 'text', ...key('search_composite') }) code!: string;
  @PrimaryColumn({ name: 'ordinal', type: 'integer', ...key('search_composite') }) ordinal!: number;
  @Column({ name: 'system_hash', type: 'bigint', nullable: true }) systemHash!: string | null;
  @Column({ name: 'value', type: 'text', collation: 'C', nullable: true }) value!: string | null;
  @Column({ name: 'second_system_hash', type: 'bigint', nullable: true }) secondSystemHash!: string | null;
  @Column({ name: 'second_value', type: 'text', collation: 'C', nullable: true }) secondValue!: string | null;
  @Column({ name: 'second_low', type: 'numeric', nullable: true }) secondLow!: string | null;
  @Column({ name: 'second_high', type: 'numeric', nullable: true }) secondHigh!: string | null;
  @Column({ name: 'second_unit', type: 'text', collation: 'C', nullable: true }) secondUnit!: string | null;
  @Column({ name: 'second_start_at', type: 'timestamptz', nullable: true }) secondStartAt!: Date | null;
  @Column({ name: 'second_end_at', type: 'timestamptz', nullable: true }) secondEndAt!: Date | null;
  @Column({ name: 'second_canonical', type: 'boolean', default: false }) secondCanonical!: boolean;
}

export const SEARCH_INDEX_ENTITIES = [
  SearchStringEntity,
  SearchTokenEntity,
  SearchDateEntity,
  SearchNumberEntity,
  SearchQuantityEntity,
  SearchReferenceEntity,
  SearchUriEntity,
  SearchCompositeEntity,
];
