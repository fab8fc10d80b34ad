import type { Hl7Segment } from '@medplum/core';
import type { AllergyIntolerance } from 'fhir/r4';
import { codeableConcept, conceptKey } from './datatype.mappers';
import { ALLERGEN_TYPE, ALLERGY_SEVERITY } from './hl7-code-tables';
import { first, value } from './hl7-message';
import type { MappingContext } from './mapping-context';
import type { MappedPatient } from './pid.mapper';

const CLINICAL_STATUS_SYSTEM = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';

/** AL1 to AllergyIntolerance, one per patient and allergen, so the allergy a feed repeats in every ADT is updated in place. */
export function mapAllergies(ctx: MappingContext, segments: Hl7Segment[], patient: MappedPatient): void {
  segments.forEach((al1, index) => {
    const where = `AL1[${index + 1}]`;
    const code = codeableConcept(ctx.sourceSystem, first(al1, 3));
    if (!code) {
      ctx.warn(`${where}-3`, `${where} has no allergen code or description; skipped`);
      return;
    }
    const kind = ALLERGEN_TYPE[value(al1, 2).toUpperCase()] ?? {};
    const reaction = value(al1, 5);
    const severity = ALLERGY_SEVERITY[value(al1, 4).toUpperCase()];
    const identified = ctx.dateTime(value(al1, 6), `${where}-6`);
    const allergy: AllergyIntolerance & { id: string } = {
      resourceType: 'AllergyIntolerance',
      id: ctx.id('AllergyIntolerance', `${patient.key}|${conceptKey(code)}`),
      clinicalStatus: { coding: [{ system: CLINICAL_STATUS_SYSTEM, code: 'active', display: 'Active' }] },
      ...(kind.type ? { type: kind.type } : {}),
      ...(kind.category ? { category: [kind.category] } : {}),
      code,
      patient: { reference: patient.reference },
      ...(identified ? { recordedDate: identified } : {}),
      // FHIR needs a manifestation for a reaction; a severity alone has nothing to hang on
      ...(reaction
        ? { reaction: [{ manifestation: [{ text: reaction }], ...(severity ? { severity } : {}) }] }
        : {}),
    };
    ctx.add(allergy);
  });
}
