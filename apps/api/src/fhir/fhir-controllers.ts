import { BulkExportController } from './bulk-export.controller';
import { CapabilityController } from './capability.controller';
import { ExtractController } from './extract.controller';
import { FallbackController } from './fallback.controller';
import { PatientMergeController } from './patient-merge.controller';
import { PatientIdentityController } from './patient-identity.controller';
import { PatientOperationsController } from './patient-operations.controller';
import { ResourceController } from './resource.controller';
import { SystemController } from './system.controller';
import { ViewExportController } from '../views/view-export.controller';
import { ViewRunController } from '../views/view-run.controller';

/**
 * The FHIR controllers in route order: literal paths (`metadata`, `Patient/:id/$everything`) before the generic
 * `:type/:id` patterns that would swallow them, the 404/405 fallback last.
 */
export const FHIR_CONTROLLERS = [
  CapabilityController,
  BulkExportController,
  ExtractController,
  SystemController,
  PatientOperationsController,
  PatientMergeController,
  ViewRunController,
  ViewExportController,
  PatientIdentityController,
  ResourceController,
  FallbackController,
];
