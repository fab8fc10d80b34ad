import type { Hl7Segment } from '@medplum/core';
import type { CodeableConcept, PatientContact } from 'fhir/r4';
import { address, codingSystem, contactPoint, humanName } from './datatype.mappers';
import { ADMINISTRATIVE_SEX } from './hl7-code-tables';
import { first, repetitions } from './hl7-message';
import type { MappingContext } from './mapping-context';

/** NK1 next of kin / associated parties to Patient.contact. */
export function contactsFromNk1(ctx: MappingContext, segments: Hl7Segment[]): (PatientContact | undefined)[] {
  return segments.map((nk1) => {
    const name = humanName(first(nk1, 2));
    const contactAddress = address(first(nk1, 4));
    const telecom = [
      ...repetitions(nk1, 5).map((xtn) => contactPoint(xtn, 'home')),
      ...repetitions(nk1, 6).map((xtn) => contactPoint(xtn, 'work')),
    ].filter((point) => point !== undefined);
    const relationship = relationshipOf(ctx, nk1);
    const gender = ADMINISTRATIVE_SEX[first(nk1, 15).get(1).toUpperCase()];
    if (!name && !contactAddress && telecom.length === 0) return undefined;
    return {
      ...(relationship ? { relationship: [relationship] } : {}),
      ...(name ? { name } : {}),
      ...(telecom.length ? { telecom } : {}),
      ...(contactAddress ? { address: contactAddress } : {}),
      ...(gender ? { gender } : {}),
    };
  });
}

/** NK1-3 relationship; without a coding system it is the sender's table 0063, kept as a local code. */
function relationshipOf(ctx: MappingContext, nk1: Hl7Segment): CodeableConcept | undefined {
  const ce = first(nk1, 3);
  const code = ce.get(1);
  const text = ce.get(2);
  if (!code) return text ? { text } : undefined;
  return {
    coding: [
      {
        system: codingSystem(ctx.sourceSystem, ce.get(3) || 'hl7v2-0063'),
        code,
        ...(text ? { display: text } : {}),
      },
    ],
    ...(text ? { text } : {}),
  };
}
