import type { AuditEvent } from 'fhir/r4';
import { canonicalTimestamp } from './audit-chain';

/** The columns an AuditEvent's row keeps beside its content, for auditors' searches. */
export interface AuditEventColumns {
  id: string;
  /** Canonical (`canonicalTimestamp`). */
  recorded: string;
  patientIds: string[];
  /** The `sub` of the caller, null for an unidentified one. */
  agent: string | null;
  subtype: string;
  outcome: string;
}

/** The columns of a new row; an event without an id, time, subtype or outcome is refused (they are NOT NULL). */
export function auditColumnsOf(event: AuditEvent, patientIds: string[]): AuditEventColumns {
  const subtype = event.subtype?.[0]?.code;
  if (!event.id || !event.recorded || !subtype || !event.outcome)
    throw new Error('An AuditEvent needs an id, recorded, a subtype and an outcome');
  return {
    id: event.id,
    recorded: canonicalTimestamp(event.recorded),
    patientIds,
    agent: event.agent?.[0]?.who?.identifier?.value ?? null,
    subtype,
    outcome: event.outcome,
  };
}

/**
 * The columns a chain version 1 row must have: that insert derived them from the content (in SQL), and its patient
 * column came from the API's rule of the time, kept here as it was (a patient entity: `Patient/<id>` in the Patient
 * role). Version 1 hashed the content only, so this is what still protects those rows' other columns. Undefined
 * members mean the content cannot have produced a valid row.
 */
export function legacyColumnsOf(content: AuditEvent): Partial<AuditEventColumns> {
  let recorded: string | undefined;
  try {
    recorded = content.recorded ? canonicalTimestamp(content.recorded) : undefined;
  } catch {
    recorded = undefined;
  }
  return {
    id: content.id,
    recorded,
    patientIds: (content.entity ?? []).flatMap((entity) => {
      const match = /^Patient\/([^/]+)$/.exec(entity.what?.reference ?? '');
      return match && entity.role?.code === '1' ? [match[1]] : [];
    }),
    agent: content.agent?.[0]?.who?.identifier?.value ?? null,
    subtype: content.subtype?.[0]?.code,
    outcome: content.outcome,
  };
}
