import { CreateResourceTables1763780000000 } from './1763780000000-CreateResourceTables';
import { CreateSearchIndexTables1763790000000 } from './1763790000000-CreateSearchIndexTables';
import { CreateIngestedMessageTable1763800000000 } from './1763800000000-CreateIngestedMessageTable';
import { CreateAuditEventTable1763810000000 } from './1763810000000-CreateAuditEventTable';
import { CreateConsentDirectiveTable1763825000000 } from './1763825000000-CreateConsentDirectiveTable';
import { CreateIdentityTables1765000000000 } from './1765000000000-CreateIdentityTables';
import { MarkCanonicalQuantityRows1796575744283 } from './1796575744283-MarkCanonicalQuantityRows';
import { ChainEveryAuditColumn1796576668285 } from './1796576668285-ChainEveryAuditColumn';
import { CreateIdentityBlockKeyTable1796600000000 } from './1796600000000-CreateIdentityBlockKeyTable';
import { StatisticsOnSearchTokenCodeAndValue1796720000000 } from './1796720000000-StatisticsOnSearchTokenCodeAndValue';
import { SliceExportJobsByKeyRange1796730000000 } from './1796730000000-SliceExportJobsByKeyRange';
import { StatisticsOnSearchReferenceCodeAndTarget1796611000000 } from './1796611000000-StatisticsOnSearchReferenceCodeAndTarget';
import { ReindexRestrictedPeopleThroughTheOutbox1796586454891 } from './1796586454891-ReindexRestrictedPeopleThroughTheOutbox';
import { CreatePortalUsedLaunchTokenTable1796586688001 } from './1796586688001-CreatePortalUsedLaunchTokenTable';
import { CreateExportJobTables1796586240765 } from './1796586240765-CreateExportJobTables';
import { CreateSmartLaunchAndPrivacyAlertTables1796610000000 } from './1796610000000-CreateSmartLaunchAndPrivacyAlertTables';
import { ReindexRestrictedPeoplePerLinkStatement1796612000000 } from './1796612000000-ReindexRestrictedPeoplePerLinkStatement';
import { RestrictedPeopleLinkTriggerProbesByKey1796613000000 } from './1796613000000-RestrictedPeopleLinkTriggerProbesByKey';
import { IdentityLinkPersonIndexCarriesState1796614000000 } from './1796614000000-IdentityLinkPersonIndexCarriesState';
import { AllowGpType1ObjectionDirectives1796700000000 } from './1796700000000-AllowGpType1ObjectionDirectives';
import { AllowExtractExportJobs1796710000000 } from './1796710000000-AllowExtractExportJobs';

/**
 * Every migration, in order. The search workstream appends its CreateSearchIndexTables here; listing classes
 * (instead of a glob) works the same under ts-node, jest and the compiled build.
 */
export const STORE_MIGRATIONS = [
  CreateResourceTables1763780000000,
  CreateSearchIndexTables1763790000000,
  CreateIngestedMessageTable1763800000000,
  CreateAuditEventTable1763810000000,
  CreateConsentDirectiveTable1763825000000,
  CreateIdentityTables1765000000000,
  MarkCanonicalQuantityRows1796575744283,
  ChainEveryAuditColumn1796576668285,
  CreateIdentityBlockKeyTable1796600000000,
  ReindexRestrictedPeopleThroughTheOutbox1796586454891,
  CreatePortalUsedLaunchTokenTable1796586688001,
  CreateExportJobTables1796586240765,
  CreateSmartLaunchAndPrivacyAlertTables1796610000000,
  StatisticsOnSearchReferenceCodeAndTarget1796611000000,
  ReindexRestrictedPeoplePerLinkStatement1796612000000,
  RestrictedPeopleLinkTriggerProbesByKey1796613000000,
  IdentityLinkPersonIndexCarriesState1796614000000,
  AllowGpType1ObjectionDirectives1796700000000,
  AllowExtractExportJobs1796710000000,
  StatisticsOnSearchTokenCodeAndValue1796720000000,
  SliceExportJobsByKeyRange1796730000000,
];
