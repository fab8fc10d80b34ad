import { ResourceChangeEntity } from './resource-change.entity';
import { ResourceHistoryEntity } from './resource-history.entity';
import { ResourceEntity } from './resource.entity';
import { IngestedMessageEntity } from '../ingestion/ingested-message.entity';

export { ResourceChangeEntity, ResourceHistoryEntity, ResourceEntity };
export type { ChangeOperation } from './resource-change.entity';

export const STORE_ENTITIES = [
  ResourceEntity,
  ResourceHistoryEntity,
  ResourceChangeEntity,
  IngestedMessageEntity,
];
