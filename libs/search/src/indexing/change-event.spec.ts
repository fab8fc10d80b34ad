import { changeEventKey, changeEventOf, parseChangeEvent } from './change-event';

describe('change events', () => {
  const change = {
    resourceType: 'Observation',
    id: 'o1',
    versionId: 4,
    operation: 'update' as const,
    changedAt: new Date('2026-11-22T03:00:00.000Z'),
    sourceSystem: 'RR8:PAS',
  };

  it('round-trips an outbox change through its JSON value, keyed by type and id', () => {
    const event = changeEventOf({ ...change, seq: '17' } as typeof change);
    expect(event).toEqual({ ...change, changedAt: '2026-11-22T03:00:00.000Z' });
    expect(parseChangeEvent(JSON.stringify(event))).toEqual(event);
    expect(changeEventKey(event)).toBe('Observation/o1');
  });

  it('refuses values that are not change events instead of throwing', () => {
    expect(parseChangeEvent('not json')).toBeUndefined();
    expect(
      parseChangeEvent(JSON.stringify({ resourceType: 'Patient', id: 'p', versionId: '2' })),
    ).toBeUndefined();
    expect(parseChangeEvent(JSON.stringify({ ...change, operation: 'merge' }))).toBeUndefined();
  });
});
