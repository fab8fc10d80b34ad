/**
 * The change event on `fhir.changes`: which resource changed to which version, and when it was committed. No
 * resource content and no patient data: consumers read the current version from the store. Key: `Type/id`.
 */
export interface ChangeEvent {
  resourceType: string;
  id: string;
  versionId: number;
  operation: 'create' | 'update' | 'delete';
  changedAt: string;
  sourceSystem: string | null;
}

/** The event of a committed outbox row. */
export function changeEventOf(change: {
  resourceType: string;
  id: string;
  versionId: number;
  operation: ChangeEvent['operation'];
  changedAt: Date;
  sourceSystem: string | null;
}): ChangeEvent {
  const { resourceType, id, versionId, operation, changedAt, sourceSystem } = change;
  return { resourceType, id, versionId, operation, changedAt: changedAt.toISOString(), sourceSystem };
}

export function changeEventKey(event: Pick<ChangeEvent, 'resourceType' | 'id'>): string {
  return `${event.resourceType}/${event.id}`;
}

/** Parses an event value; undefined when it is not one (logged and skipped by the consumer, never retried). */
export function parseChangeEvent(value: string): ChangeEvent | undefined {
  try {
    const event = JSON.parse(value) as Partial<ChangeEvent>;
    const valid =
      typeof event.resourceType === 'string' &&
      typeof event.id === 'string' &&
      Number.isInteger(event.versionId) &&
      typeof event.changedAt === 'string' &&
      ['create', 'update', 'delete'].includes(event.operation ?? '');
    return valid ? (event as ChangeEvent) : undefined;
  } catch {
    return undefined;
  }
}
