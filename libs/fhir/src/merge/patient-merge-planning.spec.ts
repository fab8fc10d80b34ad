import type { Encounter, Observation, Patient } from 'fhir/r4';
import { buildMergeProvenance, readMergeProvenance } from './merge-provenance';
import {
  mergedPatient,
  mergeRefusal,
  repointReferences,
  restoreReferences,
  survivingPatient,
  unmergedPatient,
  unmergedSurvivor,
} from './patient-merge';

const BASE = 'https://fhir.example.nhs.uk/R4';

describe('patient merge planning (pure)', () => {
  const encounter: Encounter = {
    resourceType: 'Encounter',
    id: 'e1',
    status: 'finished',
    class: { code: 'IMP' },
    subject: { reference: 'Patient/m' },
    participant: [{ individual: { reference: 'Practitioner/p' } }],
    contained: [
      {
        resourceType: 'Observation',
        id: 'o',
        status: 'final',
        code: {},
        subject: { reference: `${BASE}/Patient/m` },
      },
    ] as Observation[],
    // a patient whose id starts like M's is someone else
    basedOn: [{ reference: 'Patient/mm' }],
  };

  it('re-points every reference to the merged patient, in its own form, and names each path', () => {
    const { resource, paths } = repointReferences(encounter, 'm', 's', BASE);
    expect(resource.subject?.reference).toBe('Patient/s');
    expect((resource.contained![0] as Observation).subject?.reference).toBe(`${BASE}/Patient/s`);
    expect(resource.participant![0].individual?.reference).toBe('Practitioner/p');
    expect(resource.basedOn![0].reference).toBe('Patient/mm');
    expect(paths).toEqual(['/subject/reference', '/contained/0/subject/reference']);
    expect(encounter.subject?.reference).toBe('Patient/m'); // the input is left alone
  });

  it('drops the version of a versioned reference: the survivor has versions of its own', () => {
    const observation: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: {},
      subject: { reference: 'Patient/m/_history/3' },
    };
    expect(repointReferences(observation, 'm', 's').resource.subject?.reference).toBe('Patient/s');
  });

  it('restores exactly the recorded paths, leaving a reference its source changed since', () => {
    const { resource, paths } = repointReferences(encounter, 'm', 's', BASE);
    const restored = restoreReferences(resource, paths, 'm', 's', BASE);
    expect(restored.resource).toEqual(encounter);
    expect(restored.paths).toEqual(paths);

    const changedSince = { ...resource, subject: { reference: 'Patient/other' } };
    const partly = restoreReferences(changedSince, paths, 'm', 's', BASE);
    expect(partly.resource.subject?.reference).toBe('Patient/other');
    expect(partly.paths).toEqual(['/contained/0/subject/reference']);
    // a reference to S that the merge did not move stays with S
    const own = { ...resource, basedOn: [{ reference: 'Patient/s' }] };
    expect(restoreReferences(own, paths, 'm', 's', BASE).resource.basedOn).toEqual([
      { reference: 'Patient/s' },
    ]);
  });

  it('makes M inactive and replaced-by S, S replaces M; unmerge takes both links away again', () => {
    const m: Patient = {
      resourceType: 'Patient',
      id: 'm',
      active: true,
      link: [{ other: { reference: 'Patient/x' }, type: 'seealso' }],
    };
    const s: Patient = { resourceType: 'Patient', id: 's' };
    const merged = mergedPatient(m, 's');
    const survivor = survivingPatient(s, 'm');
    expect(merged).toMatchObject({
      active: false,
      link: [
        { other: { reference: 'Patient/x' }, type: 'seealso' },
        { other: { reference: 'Patient/s' }, type: 'replaced-by' },
      ],
    });
    expect(survivor.link).toEqual([{ other: { reference: 'Patient/m' }, type: 'replaces' }]);
    expect(mergedPatient(merged, 's')).toEqual(merged); // applying twice changes nothing
    expect(unmergedPatient(merged, 's')).toEqual(m);
    expect(unmergedSurvivor(survivor, 'm')).toEqual(s);
  });

  it('refuses a merge into itself, into a patient merged away, and of a patient merged elsewhere', () => {
    const s: Patient = { resourceType: 'Patient', id: 's' };
    expect(mergeRefusal({ id: 's' }, { id: 's', patient: s })?.code).toBe('merge-into-itself');
    const gone = mergedPatient(s, 't');
    expect(mergeRefusal({ id: 'm' }, { id: 's', patient: gone })).toMatchObject({
      code: 'merge-target-merged',
      problem: { diagnostics: expect.stringContaining('Patient/t') },
    });
    const elsewhere = mergedPatient({ resourceType: 'Patient', id: 'm' }, 'u');
    expect(mergeRefusal({ id: 'm', patient: elsewhere }, { id: 's', patient: s })?.code).toBe(
      'merged-elsewhere',
    );
    // merged into S already: a replay, not a refusal
    const replay = mergedPatient({ resourceType: 'Patient', id: 'm' }, 's');
    expect(mergeRefusal({ id: 'm', patient: replay }, { id: 's', patient: s })).toBeUndefined();
  });

  it('records every version and path in the Provenance, and reads them back for the unmerge', () => {
    const provenance = buildMergeProvenance({
      id: 'prov-1',
      activity: 'merge',
      mergedPatientId: 'm',
      survivingPatientId: 's',
      targets: [
        { resourceType: 'Encounter', id: 'e1', versionId: 4, paths: ['/subject/reference'] },
        { resourceType: 'Patient', id: 'm', versionId: 2, paths: [] },
      ],
      agent: { display: 'RXX:PAS', role: 'author' },
      recorded: '2026-12-06T20:00:00Z',
      previousPerson: { personId: 'person-1', origin: 'AUTO' },
      movedPatientIds: ['gp-record'],
    });
    expect(provenance.activity?.coding?.[0].code).toBe('merge');
    expect(provenance.target.map((target) => target.reference)).toEqual([
      'Encounter/e1/_history/4',
      'Patient/m/_history/2',
    ]);
    expect(readMergeProvenance(provenance)).toEqual({
      activity: 'merge',
      mergedPatientId: 'm',
      survivingPatientId: 's',
      targets: [
        { resourceType: 'Encounter', id: 'e1', versionId: 4, paths: ['/subject/reference'] },
        { resourceType: 'Patient', id: 'm', versionId: 2, paths: [] },
      ],
      previousPerson: { personId: 'person-1', origin: 'AUTO' },
      movedPatientIds: ['gp-record'],
    });
  });
});
