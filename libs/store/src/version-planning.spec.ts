import type { Patient } from 'fhir/r4';
import { nextTimestamp, planVersion, sameContent, stamp } from './version.planner';

describe('version planning', () => {
  const patient: Patient = {
    resourceType: 'Patient',
    gender: 'male',
    meta: { versionId: '9', lastUpdated: '2000-01-01T00:00:00Z', profile: ['x'] },
  };

  it('replaces server-owned meta and keeps the rest', () => {
    const stamped = stamp(patient, 'p1', 3, new Date('2026-01-01T00:00:00Z'), {
      sourceSystem: 'https://example.org/pas',
    });
    expect(stamped).toEqual({
      resourceType: 'Patient',
      id: 'p1',
      gender: 'male',
      meta: {
        profile: ['x'],
        versionId: '3',
        lastUpdated: '2026-01-01T00:00:00.000Z',
        source: 'https://example.org/pas',
      },
    });
  });

  it('never moves lastUpdated backwards within a resource', () => {
    const previous = new Date('2026-01-01T00:00:00.500Z');
    expect(nextTimestamp(previous, new Date('2026-01-01T00:00:00.100Z')).toISOString()).toBe(
      '2026-01-01T00:00:00.501Z',
    );
    expect(nextTimestamp(undefined, previous)).toBe(previous);
  });

  it('plans create, update and delete with their outbox operation and compartments', () => {
    const created = planVersion({
      current: undefined,
      resourceType: 'Patient',
      id: 'p1',
      resource: patient,
      context: {},
    });
    expect(created).toMatchObject({
      versionId: 1,
      operation: 'create',
      resourceKey: null,
      compartments: ['p1'],
    });
    const current = {
      ...created,
      resourceKey: '42',
      deleted: false,
      sourceUpdated: null,
      content: created.content,
    };
    expect(
      planVersion({ current, resourceType: 'Patient', id: 'p1', resource: patient, context: {} }),
    ).toMatchObject({ versionId: 2, operation: 'update', resourceKey: '42' });
    expect(
      planVersion({ current, resourceType: 'Patient', id: 'p1', resource: null, context: {} }),
    ).toMatchObject({ versionId: 2, operation: 'delete', content: null, compartments: [] });
  });

  it('treats copies that differ only in key order or server meta as the same content', () => {
    const a: Patient = {
      resourceType: 'Patient',
      id: 'p',
      gender: 'male',
      name: [{ given: ['A'], family: 'B' }],
      meta: { versionId: '1' },
    };
    const b: Patient = {
      name: [{ family: 'B', given: ['A'] }],
      gender: 'male',
      id: 'p',
      resourceType: 'Patient',
      meta: { versionId: '7', lastUpdated: '2026-01-01T00:00:00Z' },
    };
    expect(sameContent(a, b)).toBe(true);
    expect(sameContent(a, { ...b, gender: 'female' } as Patient)).toBe(false);
    expect(sameContent(a, { ...b, meta: { source: 'elsewhere' } })).toBe(false);
  });
});
