import type { Extension, Provenance, ProvenanceAgent, Reference } from 'fhir/r4';

/** The ISO 21089 lifecycle events FHIR uses for a Patient merge (and its undoing). */
export const LIFECYCLE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle';

/** On a merge Provenance's target: a JSON Pointer of a reference the merge re-pointed in that version (one each). */
export const REPOINTED_PATH_URL = 'https://continuum.nhs.uk/StructureDefinition/merge-repointed-path';
/**
 * On a merge Provenance's entity for the merged patient: the person (master patient index) it was before the merge,
 * and that link's origin, so an unmerge restores its identity as it was.
 */
export const PREVIOUS_PERSON_URL = 'https://continuum.nhs.uk/StructureDefinition/merge-previous-person';
export const PREVIOUS_LINK_ORIGIN_URL =
  'https://continuum.nhs.uk/StructureDefinition/merge-previous-link-origin';
/** On the same entity: each other record of that person, moved with it to the survivor's person. */
export const MOVED_PATIENT_URL = 'https://continuum.nhs.uk/StructureDefinition/merge-moved-patient';

export type MergeActivity = 'merge' | 'unmerge';

/** Who asked: the source system of an HL7 A40 (its ODS code when known), or the operator. */
export interface MergeAgent {
  display: string;
  identifier?: { system: string; value: string };
  /** `author` for a source system's message, `performer` for an operator. */
  role: 'author' | 'performer';
}

/** One version the merge (or unmerge) wrote and the references it moved there. */
export interface MergeTarget {
  resourceType: string;
  id: string;
  versionId: number;
  paths: string[];
}

export interface MergeProvenanceInput {
  id: string;
  activity: MergeActivity;
  mergedPatientId: string;
  survivingPatientId: string;
  /** Every version written: re-pointed (or restored) resources and the two Patients. */
  targets: MergeTarget[];
  agent: MergeAgent;
  recorded: string;
  reason?: string;
  /** Merge only: M's identity before the merge. */
  previousPerson?: { personId: string; origin: string };
  /** Merge only: the other records of M's previous person, moved to S's person with it. */
  movedPatientIds?: string[];
  /** Unmerge only: the merge Provenances it undoes. */
  undoes?: string[];
}

/**
 * The Provenance of a merge or unmerge: its targets are every version written (with the re-pointed paths on each,
 * which is what an unmerge restores), its entities M and S (and for an unmerge, the merge Provenances undone).
 */
export function buildMergeProvenance(input: MergeProvenanceInput): Provenance {
  const agent: ProvenanceAgent = {
    type: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
          code: input.agent.role,
        },
      ],
    },
    who: {
      display: input.agent.display,
      ...(input.agent.identifier ? { identifier: input.agent.identifier } : {}),
    },
  };
  const previous: Extension[] = input.previousPerson
    ? [
        { url: PREVIOUS_PERSON_URL, valueString: input.previousPerson.personId },
        { url: PREVIOUS_LINK_ORIGIN_URL, valueCode: input.previousPerson.origin },
        ...(input.movedPatientIds ?? []).map((id) => ({ url: MOVED_PATIENT_URL, valueString: id })),
      ]
    : [];
  return {
    resourceType: 'Provenance',
    id: input.id,
    target: input.targets.map((target): Reference => ({
      reference: `${target.resourceType}/${target.id}/_history/${target.versionId}`,
      ...(target.paths.length
        ? { extension: target.paths.map((path) => ({ url: REPOINTED_PATH_URL, valueString: path })) }
        : {}),
    })),
    recorded: input.recorded,
    activity: { coding: [{ system: LIFECYCLE_SYSTEM, code: input.activity }] },
    ...(input.reason ? { reason: [{ text: input.reason }] } : {}),
    agent: [agent],
    entity: [
      {
        role: 'removal',
        what: { reference: `Patient/${input.mergedPatientId}`, display: 'merged patient' },
        ...(previous.length ? { extension: previous } : {}),
      },
      {
        role: 'revision',
        what: { reference: `Patient/${input.survivingPatientId}`, display: 'surviving patient' },
      },
      ...(input.undoes ?? []).map((id) => ({
        role: 'removal' as const,
        what: { reference: `Provenance/${id}` },
      })),
    ],
  };
}

/** What a merge Provenance recorded, read back for an unmerge. */
export interface RecordedMerge {
  activity?: string;
  mergedPatientId?: string;
  survivingPatientId?: string;
  targets: MergeTarget[];
  previousPerson?: { personId: string; origin: string };
  movedPatientIds: string[];
}

export function readMergeProvenance(provenance: Provenance): RecordedMerge {
  const activity = provenance.activity?.coding?.find((coding) => coding.system === LIFECYCLE_SYSTEM)?.code;
  const patientOf = (display: string) =>
    provenance.entity
      ?.find((entity) => entity.what.display === display)
      ?.what.reference?.replace(/^Patient\//, '');
  const mergedEntity = provenance.entity?.find((entity) => entity.what.display === 'merged patient');
  const personId = mergedEntity?.extension?.find((ext) => ext.url === PREVIOUS_PERSON_URL)?.valueString;
  const origin = mergedEntity?.extension?.find((ext) => ext.url === PREVIOUS_LINK_ORIGIN_URL)?.valueCode;
  const movedPatientIds = (mergedEntity?.extension ?? [])
    .filter((ext) => ext.url === MOVED_PATIENT_URL && ext.valueString)
    .map((ext) => ext.valueString!);
  const targets = (provenance.target ?? []).flatMap((target) => {
    const match = /^([A-Za-z]+)\/([^/]+)\/_history\/(\d+)$/.exec(target.reference ?? '');
    if (!match) return [];
    const paths = (target.extension ?? [])
      .filter((ext) => ext.url === REPOINTED_PATH_URL && ext.valueString)
      .map((ext) => ext.valueString!);
    return [{ resourceType: match[1], id: match[2], versionId: Number(match[3]), paths }];
  });
  return {
    activity,
    mergedPatientId: patientOf('merged patient'),
    survivingPatientId: patientOf('surviving patient'),
    targets,
    ...(personId ? { previousPerson: { personId, origin: origin ?? 'AUTO' } } : {}),
    movedPatientIds,
  };
}
