import type { Hl7Message } from '@medplum/core';
import type { Patient } from 'fhir/r4';
import { repetitions } from './hl7-message';
import type { MappingContext } from './mapping-context';
import { patientIdentity } from './patient-identity';
import type { MappedPatient } from './pid.mapper';

/**
 * A24 (link patient information) or A37 (unlink patient information): the source says its two records are (no
 * longer) the same person, without merging them. The message's first PID is `patientId`, the second `otherPatientId`.
 */
export interface PatientLinkEvent {
  action: 'link' | 'unlink';
  patientId: string;
  otherPatientId: string;
}

/**
 * The second PID of an A24/A37 names the other record; its id is computed from its PID-3 as any message about that
 * record computes it. The record is mapped as an identity-only placeholder (stored only if never seen): these
 * events identify patients, they do not update their demographics.
 */
export function mapPatientLink(
  ctx: MappingContext,
  message: Hl7Message,
  first: MappedPatient,
  action: PatientLinkEvent['action'],
): PatientLinkEvent | undefined {
  const second = message.getAllSegments('PID')[1];
  if (!second) {
    ctx.invalid(
      'PID',
      `An ${action === 'link' ? 'A24' : 'A37'} needs a second PID segment naming the other patient`,
      'required',
    );
    return undefined;
  }
  const identity = patientIdentity(ctx, repetitions(second, 3), 'PID[2]-3');
  if (!identity) return undefined;
  const otherId = ctx.id('Patient', identity.key);
  if (otherId === first.id) {
    ctx.invalid('PID[2]-3', 'Both PID segments name the same patient: nothing to link');
    return undefined;
  }
  const other: Patient & { id: string } = {
    resourceType: 'Patient',
    id: otherId,
    identifier: identity.identifiers,
  };
  ctx.add(other);
  return { action, patientId: first.id, otherPatientId: otherId };
}
