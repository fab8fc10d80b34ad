import type { Hl7Message } from '@medplum/core';
import type { Patient } from 'fhir/r4';
import { repetitions } from './hl7-message';
import type { MappingContext } from './mapping-context';
import { patientIdentity } from './patient-identity';
import type { MappedPatient } from './pid.mapper';

export interface PatientMerge {
  survivingPatientId: string;
  mergedPatientId: string;
}

/**
 * A40 merge: MRG-1 names the patient merged away; its id is computed from MRG-1 as PID-3 would have computed it, so
 * it is the id earlier messages stored it under. The surviving patient gets a `replaces` link and the merged one,
 * made inactive, a `replaced-by` link; moving its resources under the survivor is the consumer's job.
 */
export function mapMerge(
  ctx: MappingContext,
  message: Hl7Message,
  surviving: MappedPatient,
): PatientMerge | undefined {
  const mrg = message.getSegment('MRG');
  if (!mrg) {
    ctx.invalid('MRG', 'ADT^A40 needs an MRG segment naming the merged patient', 'required');
    return undefined;
  }
  const identity = patientIdentity(ctx, repetitions(mrg, 1), 'MRG-1');
  if (!identity) return undefined;
  const mergedId = ctx.id('Patient', identity.key);
  if (mergedId === surviving.id) {
    ctx.invalid('MRG-1', 'MRG-1 names the same patient as PID-3: nothing to merge');
    return undefined;
  }
  const survivor = ctx.get(surviving.reference);
  if (survivor?.resourceType === 'Patient')
    survivor.link = [{ other: { reference: `Patient/${mergedId}` }, type: 'replaces' }];
  const merged: Patient & { id: string } = {
    resourceType: 'Patient',
    id: mergedId,
    identifier: identity.identifiers,
    active: false,
    link: [{ other: { reference: surviving.reference }, type: 'replaced-by' }],
  };
  ctx.add(merged);
  return { survivingPatientId: surviving.id, mergedPatientId: mergedId };
}
