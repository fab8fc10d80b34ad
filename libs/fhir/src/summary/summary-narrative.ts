import type {
  AllergyIntolerance,
  CodeableConcept,
  Condition,
  Encounter,
  Medication,
  MedicationRequest,
  MedicationStatement,
  Observation,
} from 'fhir/r4';
import { parseReference } from '../search/reference';

// One line of text per resource, for the sections' XHTML narratives (what a clinician reads first).

export function conceptText(concept: CodeableConcept | undefined): string {
  const coding = concept?.coding?.[0];
  return concept?.text ?? coding?.display ?? coding?.code ?? 'Unspecified';
}

const day = (value: string | undefined) => (value ? value.slice(0, 10) : undefined);
const joined = (...parts: (string | undefined)[]) => parts.filter(Boolean).join(', ');

export function allergyLine(allergy: AllergyIntolerance): string {
  const reactions = allergy.reaction?.flatMap((r) => r.manifestation.map(conceptText)) ?? [];
  return joined(
    conceptText(allergy.code),
    allergy.criticality && `criticality ${allergy.criticality}`,
    reactions.length ? `reaction: ${reactions.join('; ')}` : undefined,
  );
}

export function conditionLine(condition: Condition): string {
  return joined(
    conceptText(condition.code),
    day(condition.onsetDateTime ?? condition.recordedDate) &&
      `since ${day(condition.onsetDateTime ?? condition.recordedDate)}`,
  );
}

/** `referenced`: the Medication its medicationReference resolves to, when known (contained or fetched). */
export function medicationLine(
  medication: MedicationStatement | MedicationRequest,
  referenced?: Medication,
): string {
  const drug = medication.medicationCodeableConcept
    ? conceptText(medication.medicationCodeableConcept)
    : (medication.medicationReference?.display ??
      (referenced?.code ? conceptText(referenced.code) : 'Unspecified medication'));
  const dosage =
    medication.resourceType === 'MedicationStatement'
      ? medication.dosage?.[0]?.text
      : medication.dosageInstruction?.[0]?.text;
  return joined(drug, dosage, medication.status);
}

export function encounterLine(encounter: Encounter): string {
  return joined(
    day(encounter.period?.start),
    encounter.type?.length
      ? conceptText(encounter.type[0])
      : (encounter.class.display ?? encounter.class.code),
    encounter.serviceProvider?.display,
  );
}

export function observationLine(observation: Observation): string {
  return joined(
    day(observationDate(observation)),
    `${conceptText(observation.code)}: ${observationValue(observation)}`,
  );
}

export function observationDate(observation: Observation): string | undefined {
  return observation.effectiveDateTime ?? observation.effectivePeriod?.start ?? observation.issued;
}

function observationValue(observation: Observation): string {
  if (observation.valueQuantity)
    return `${observation.valueQuantity.value ?? ''} ${observation.valueQuantity.unit ?? observation.valueQuantity.code ?? ''}`.trim();
  if (observation.valueString !== undefined) return observation.valueString;
  if (observation.valueCodeableConcept) return conceptText(observation.valueCodeableConcept);
  if (observation.component?.length)
    return observation.component
      .map((c) =>
        `${conceptText(c.code)} ${c.valueQuantity?.value ?? ''}${c.valueQuantity?.unit ? ` ${c.valueQuantity.unit}` : ''}`.trim(),
      )
      .join(' / ');
  return observation.dataAbsentReason ? conceptText(observation.dataAbsentReason) : 'no value';
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** An XHTML list of the lines (escaped), as FHIR narrative requires. */
export function narrativeList(lines: string[], empty: string): string {
  const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ESCAPES[c]);
  const body = lines.length
    ? `<ul>${lines.map((line) => `<li>${escape(line)}</li>`).join('')}</ul>`
    : `<p>${escape(empty)}</p>`;
  return `<div xmlns="http://www.w3.org/1999/xhtml">${body}</div>`;
}

/**
 * The Medication a statement or request points at: contained (`#id`), or one of `medicines` when the reference is
 * local (relative, or absolute on our own base URL).
 */
export function referencedMedication(
  medication: MedicationStatement | MedicationRequest,
  medicines: Medication[],
  baseUrl?: string,
): Medication | undefined {
  const reference = medication.medicationReference?.reference;
  if (!reference) return undefined;
  if (reference.startsWith('#'))
    return medication.contained?.find(
      (r): r is Medication => r.resourceType === 'Medication' && r.id === reference.slice(1),
    );
  const parsed = parseReference(reference, baseUrl);
  return parsed && !parsed.external && parsed.type === 'Medication'
    ? medicines.find((m) => m.id === parsed.id)
    : undefined;
}
