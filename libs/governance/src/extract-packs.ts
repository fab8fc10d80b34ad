import type { ViewColumn, ViewDefinition } from '@continuum/fhir';
import admittedPatientCare from './packs/admitted-patient-care.view.json';
import communityContacts from './packs/community-contacts.view.json';
import emergencyCare from './packs/emergency-care.view.json';
import gpAppointments from './packs/gp-appointments.view.json';
import mentalHealthContacts from './packs/mental-health-contacts.view.json';
import outOfHoursContacts from './packs/out-of-hours-contacts.view.json';
import outpatientAttendances from './packs/outpatient-attendances.view.json';
import patientView from './packs/patient.view.json';
import procedureView from './packs/procedure.view.json';
import type { ExtractColumn } from './governed-extract';
import type { OrganisationCodeRole } from './organisation-codes';

/**
 * The extract packs: versioned, shareable SQL on FHIR ViewDefinitions (packs/*.view.json, canonical url, version and
 * status), one per commissioning dataset, with columns named and described after NHS Data Dictionary data elements.
 * What governance does to each column is read from the view itself, from its column tags:
 * - `governance`: nhs-number (pseudonymised or dropped), birth-date and postcode (generalised), free-text (dropped),
 *   record-key (released only in identifiable extracts), value (as it is);
 * - `organisation-code`: provider, site, commissioner or gp-practice: checked against the reference data;
 * - `dimension`: provider, service, commissioner or month: what an aggregate counts by;
 * - `period`: activity-date: the column `--period` selects on;
 * - `join`: patient or procedure: the key the runner joins the shared person and procedure views on;
 * - `data-dictionary`: the NHS Data Dictionary element the column stands for.
 * Views are single-resource, so the person (NHS number, birth date, postcode, registered practice) and the primary
 * procedure come from two shared views joined by key; the commissioner is derived from the registered practice
 * through the reference data (reference-organisations.ts).
 */
export type PackName =
  | 'admitted-patient-care'
  | 'outpatient-attendances'
  | 'emergency-care'
  | 'community-contacts'
  | 'mental-health-contacts'
  | 'out-of-hours-contacts'
  | 'gp-appointments';

export type PackDimension = 'provider' | 'service' | 'commissioner' | 'month';
export type PackJoin = 'patient' | 'procedure';

export interface PackColumn extends ExtractColumn {
  readonly description: string;
  readonly dataDictionary?: string;
  readonly organisationCode?: OrganisationCodeRole;
  readonly dimension?: PackDimension;
  readonly join?: PackJoin;
  readonly activityDate: boolean;
}

export const PACK_VIEWS: Readonly<Record<PackName, ViewDefinition>> = {
  'admitted-patient-care': admittedPatientCare as ViewDefinition,
  'outpatient-attendances': outpatientAttendances as ViewDefinition,
  'emergency-care': emergencyCare as ViewDefinition,
  'community-contacts': communityContacts as ViewDefinition,
  'mental-health-contacts': mentalHealthContacts as ViewDefinition,
  'out-of-hours-contacts': outOfHoursContacts as ViewDefinition,
  'gp-appointments': gpAppointments as ViewDefinition,
};

export const PACK_NAMES = Object.keys(PACK_VIEWS) as PackName[];

/** The shared views a pack's rows are joined to, by the key column tagged `join`. */
export const JOIN_VIEWS: Readonly<Record<PackJoin, ViewDefinition>> = {
  patient: patientView as ViewDefinition,
  procedure: procedureView as ViewDefinition,
};

/** The column the commissioner is derived into (from the registered practice, through the reference data). */
export const COMMISSIONER_COLUMN: PackColumn = {
  name: 'commissioner_code',
  role: 'value',
  description:
    "The commissioner responsible: the sub-ICB location of the patient's registered GP practice, from the organisation reference data.",
  dataDictionary: 'ORGANISATION IDENTIFIER (CODE OF COMMISSIONER)',
  organisationCode: 'commissioner',
  dimension: 'commissioner',
  activityDate: false,
};

export class PackError extends Error {}

export function isPackName(name: string): name is PackName {
  return (PACK_NAMES as string[]).includes(name);
}

/** A view's columns with the roles its tags give them (a column without a governance tag is refused). */
export function packColumns(view: ViewDefinition): PackColumn[] {
  return view.select.flatMap((select) => (select.column ?? []).map((column) => packColumn(view, column)));
}

const ROLES = ['nhs-number', 'birth-date', 'postcode', 'free-text', 'record-key', 'value'];

function packColumn(view: ViewDefinition, column: ViewColumn): PackColumn {
  const tag = (name: string) => column.tag?.find((candidate) => candidate.name === name)?.value;
  const role = tag('governance');
  if (!role || !ROLES.includes(role))
    throw new PackError(
      `${view.url}: column '${column.name}' has no governance tag (one of ${ROLES.join(', ')})`,
    );
  return {
    name: column.name,
    role: role as PackColumn['role'],
    description: column.description ?? '',
    ...(tag('data-dictionary') ? { dataDictionary: tag('data-dictionary') } : {}),
    ...(tag('organisation-code')
      ? { organisationCode: tag('organisation-code') as OrganisationCodeRole }
      : {}),
    ...(tag('dimension') ? { dimension: tag('dimension') as PackDimension } : {}),
    ...(tag('join') ? { join: tag('join') as PackJoin } : {}),
    activityDate: tag('period') === 'activity-date',
  };
}

/**
 * The released layout of a pack before governance: its own columns (join keys kept, for the record), then the
 * person's columns and the derived commissioner when it joins the patient view, then the primary procedure's when it
 * joins the procedure view.
 */
export function packLayout(pack: PackName): PackColumn[] {
  const own = packColumns(PACK_VIEWS[pack]);
  const joined = (join: PackJoin) =>
    own.some((column) => column.join === join)
      ? packColumns(JOIN_VIEWS[join]).filter((column) => column.join !== join)
      : [];
  const person = joined('patient');
  return [...own, ...person, ...(person.length ? [COMMISSIONER_COLUMN] : []), ...joined('procedure')];
}
