import {
  type BuiltRoleView,
  buildRoleView,
  type PortalRole,
  resourceTypesFor,
  ROLE_VIEWS,
} from '@continuum/fhir';
import { Injectable } from '@nestjs/common';
import { PersonRecordLoader } from './person-record.loader';

/** A role's view of the person in context: reads what the view's sections need through the door, then builds it. */
@Injectable()
export class RecordViewService {
  constructor(private readonly loader: PersonRecordLoader) {}

  async view(role: PortalRole, patientId: string, now = new Date()): Promise<BuiltRoleView> {
    const record = await this.loader.load(patientId, resourceTypesFor(ROLE_VIEWS[role].sections));
    return buildRoleView(role, record, { now });
  }
}
