import { ResourceChangeEntity } from './resource-change.entity';
import { ResourceHistoryEntity } from './resource-history.entity';
import { ResourceEntity } from './resource.entity';
import { IngestedMessageEntity } from '../ingestion/ingested-message.entity';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { ConsentDirectiveEntity } from '../consent/consent-directive.entity';
import { SEARCH_INDEX_ENTITIES } from '../search/search-index.entities';
import { IDENTITY_ENTITIES } from '../identity/identity.entities';
import { LAUNCH_ENTITIES } from '../launch/used-launch-token.entity';
import { EXPORT_ENTITIES } from '../export/export-job.entities';
import { PrivacyAlertEntity } from '../privacy/privacy-alert.entity';

export { ResourceChangeEntity, ResourceHistoryEntity, ResourceEntity };
export type { ChangeOperation } from './resource-change.entity';

/** Every entity the migrations create, so the drift check covers all of them (search index tables included). */
export const STORE_ENTITIES = [
  ResourceEntity,
  ResourceHistoryEntity,
  ResourceChangeEntity,
  IngestedMessageEntity,
  AuditEventEntity,
  ConsentDirectiveEntity,
  ...SEARCH_INDEX_ENTITIES,
  ...IDENTITY_ENTITIES,
  ...LAUNCH_ENTITIES,
  ...EXPORT_ENTITIES,
  PrivacyAlertEntity,
];
