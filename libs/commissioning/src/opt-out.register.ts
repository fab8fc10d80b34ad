import type { OptOutRegister } from '@continuum/governance';
import type { ConsentQueries, PersonQueries } from '@continuum/store';

/**
 * The opt-out decisions behind an extract, loaded in bulk before the first row is governed, by the same SQL rule
 * the secured door applies to secondary use (consent-directive.sql: a directive in force at the snapshot, on any
 * record of the person), so an opt-out recorded by any source removes the rows every source supplied.
 */
export async function loadOptOutRegister(
  consents: ConsentQueries,
  patientIds: readonly string[],
  personOf: ReadonlyMap<string, string>,
  at: Date,
): Promise<OptOutRegister> {
  const personsWith = async (kind: 'data-opt-out' | 'gp-type-1-objection') => {
    const hidden = await consents.hiddenAmong([...patientIds], { at, hiding: [{ kind }] });
    return new Set([...hidden].map((patientId) => personOf.get(patientId) ?? patientId));
  };
  const optedOut = await personsWith('data-opt-out');
  const objected = await personsWith('gp-type-1-objection');
  return {
    hasNationalDataOptOut: (personKey) => optedOut.has(personKey),
    hasGpType1Objection: (personKey) => objected.has(personKey),
  };
}

/** Each patient record's person key: the smallest patient id of its person (stable while the links are). */
export async function personKeysOf(
  persons: PersonQueries,
  patientIds: readonly string[],
): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (let at = 0; at < patientIds.length; at += 5000) {
    const slice = patientIds.slice(at, at + 5000);
    const same = await persons.samePerson(slice);
    for (const id of slice) keys.set(id, (same.get(id) ?? [id])[0]);
  }
  return keys;
}
