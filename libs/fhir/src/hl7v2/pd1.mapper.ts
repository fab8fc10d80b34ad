import type { Hl7Segment } from '@medplum/core';
import type { Reference } from 'fhir/r4';
import { organizationReference, practitionerReference } from './actor.mappers';
import { first, repetitions } from './hl7-message';
import type { MappingContext } from './mapping-context';

/**
 * PD1-3 patient primary facility (the registered GP practice, XON: name^^ODS code, or XON-10 from v2.5) and PD1-4
 * the GP (XCN) to Patient.generalPractitioner.
 */
export function generalPractitionersFromPd1(
  ctx: MappingContext,
  pd1: Hl7Segment | undefined,
): (Reference | undefined)[] {
  if (!pd1) return [];
  const practice = first(pd1, 3);
  const practiceCode = practice.get(10) || practice.get(3);
  return [
    organizationReference(ctx, practiceCode, practice.get(1) || undefined),
    ...repetitions(pd1, 4).map((xcn) => practitionerReference(ctx, xcn)),
  ];
}
