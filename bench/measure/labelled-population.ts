import { demographicsOf, prepare, type PreparedRecord } from '@continuum/fhir';
import { generateLabelledPopulation } from '@continuum/generator';

/** One source Patient of the labelled population, ready for the matcher, with its truth. */
export interface LabelledPatient {
  id: string;
  source: string;
  /** The true person, as a number (`P0000042` → 42). */
  truePerson: number;
  origin: string;
  prepared: PreparedRecord;
}

/**
 * The generator's labelled population (`generateLabelledPopulation`), prepared for matching, in the order of the
 * Patients' ids (UUIDs): the generator writes household by household, and a household's records arriving
 * together would flatter incremental linking.
 */
export function labelledPatients(seed: string, persons: number): LabelledPatient[] {
  const records: LabelledPatient[] = [];
  for (const record of generateLabelledPopulation({ seed, persons })) {
    records.push({
      id: record.patient.id!,
      source: record.sourceSystem,
      truePerson: Number(record.truthPersonId.slice(1)),
      origin: record.nameOrigin,
      prepared: prepare(demographicsOf(record.patient)),
    });
  }
  return records.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
