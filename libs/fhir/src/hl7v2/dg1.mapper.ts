import type { Hl7Segment } from '@medplum/core';
import type { Condition } from 'fhir/r4';
import { practitionerReference } from './actor.mappers';
import { codeableConcept, conceptKey } from './datatype.mappers';
import { DIAGNOSIS_TYPE_VERIFICATION } from './hl7-code-tables';
import { first, value } from './hl7-message';
import type { MappingContext } from './mapping-context';
import type { MappedPatient } from './pid.mapper';

const CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/condition-category';
const VERIFICATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';

/** DG1 to Condition (an encounter diagnosis), one per patient and diagnosis code. */
export function mapDiagnoses(
  ctx: MappingContext,
  segments: Hl7Segment[],
  patient: MappedPatient,
  encounter: string | undefined,
): void {
  segments.forEach((dg1, index) => {
    const where = `DG1[${index + 1}]`;
    // DG1-3 coded diagnosis; v2.3 feeds may only fill DG1-4, the description
    const code =
      codeableConcept(ctx.sourceSystem, first(dg1, 3)) ??
      (value(dg1, 4) ? { text: value(dg1, 4) } : undefined);
    if (!code) {
      ctx.warn(`${where}-3`, `${where} has no diagnosis code or description; skipped`);
      return;
    }
    const verification = DIAGNOSIS_TYPE_VERIFICATION[value(dg1, 6).toUpperCase()];
    const onset = ctx.dateTime(value(dg1, 5), `${where}-5`);
    const recorded = ctx.dateTime(value(dg1, 19), `${where}-19`);
    const asserter = practitionerReference(ctx, first(dg1, 16));
    const condition: Condition & { id: string } = {
      resourceType: 'Condition',
      id: ctx.id('Condition', `${patient.key}|${conceptKey(code)}`),
      ...(verification
        ? { verificationStatus: { coding: [{ system: VERIFICATION_SYSTEM, code: verification }] } }
        : {}),
      category: [
        {
          coding: [{ system: CATEGORY_SYSTEM, code: 'encounter-diagnosis', display: 'Encounter Diagnosis' }],
        },
      ],
      code,
      subject: { reference: patient.reference },
      ...(encounter ? { encounter: { reference: encounter } } : {}),
      ...(onset ? { onsetDateTime: onset } : {}),
      ...(recorded ? { recordedDate: recorded } : {}),
      ...(asserter ? { asserter } : {}),
    };
    ctx.add(condition);
  });
}
