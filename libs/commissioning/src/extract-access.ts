import { type AccessContext, accessContextFrom } from '@continuum/security';

/**
 * What an extract reads through the secured door: search on the types the packs and their joins read. It reads as a
 * system caller for system administration (HSYSADMIN), not for the secondary purpose itself, so that the door does
 * not silently drop opted-out people: the governed pipeline removes them instead, by the same SQL rule, and counts
 * what each opt-out removed for the manifest (and can honour an audited exemption). Scopes, audit of every page and
 * restricted people's redaction still apply at the door.
 */
export const EXTRACT_READ_SCOPES = [
  'system/Encounter.rs',
  'system/Appointment.rs',
  'system/Patient.rs',
  'system/Procedure.rs',
].join(' ');

/** The types an extract reads; `$extract` is granted only to a system client that may search all of them. */
export const EXTRACT_READ_TYPES = ['Encounter', 'Appointment', 'Patient', 'Procedure'];

/** The access an extract runs under, for the CLI and the exporter's extract jobs alike. */
export function extractAccessFor(requester: string, clientId: string): AccessContext {
  return accessContextFrom({
    sub: requester,
    client_id: clientId,
    scope: EXTRACT_READ_SCOPES,
    purpose_of_use: 'HSYSADMIN',
  });
}
