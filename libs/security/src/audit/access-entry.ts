import type { AuditEvent } from 'fhir/r4';

/** One access to a record, as "who viewed this record" lists it. */
export interface AccessEntry {
  recorded: string;
  user: string;
  role?: string;
  organisation?: string;
  /** v3 ActReason purpose codes (TREAT, ETREAT, ...). */
  purposes: string[];
  /** The reason given when the glass was broken. */
  breakGlass?: string;
  /** The application that asked (client id). */
  application?: string;
  action: string;
  /** success, refused or failed. */
  outcome: 'success' | 'refused' | 'failed';
  description?: string;
}

const ACTIONS: Record<string, string> = {
  C: 'create',
  R: 'read',
  U: 'update',
  D: 'delete',
  E: 'search or operation',
};
const OUTCOMES: Record<string, AccessEntry['outcome']> = { '0': 'success', '4': 'refused', '8': 'failed' };

/** Reads an AuditEvent built by buildAuditEvent back into who, in which role and organisation, why and when. */
export function accessEntryOf(event: AuditEvent): AccessEntry {
  const [user, application] = event.agent ?? [];
  const purposes = (user?.purposeOfUse ?? []).flatMap((concept) => concept.coding ?? []);
  const breakGlass = user?.purposeOfUse?.find((concept) =>
    concept.coding?.some((coding) => coding.code === 'BTG'),
  );
  return {
    recorded: event.recorded ?? '',
    user: user?.who?.identifier?.value ?? user?.name ?? 'unidentified caller',
    ...(user?.role?.[0]?.text ? { role: user.role[0].text } : {}),
    ...(user?.altId ? { organisation: user.altId } : {}),
    purposes: purposes.map((coding) => coding.code ?? '').filter((code) => code && code !== 'BTG'),
    ...(breakGlass ? { breakGlass: breakGlass.text ?? 'reason not recorded' } : {}),
    ...(application?.who?.identifier?.value ? { application: application.who.identifier.value } : {}),
    action: ACTIONS[event.action ?? ''] ?? 'unknown',
    outcome: OUTCOMES[event.outcome ?? ''] ?? 'failed',
    ...(event.outcomeDesc ? { description: event.outcomeDesc } : {}),
  };
}
