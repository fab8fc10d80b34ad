import type { Hl7Message } from '@medplum/core';
import type { FhirResource } from 'fhir/r4';
import { organizationReference } from './actor.mappers';
import { mapAllergies } from './al1.mapper';
import { mapDiagnoses } from './dg1.mapper';
import { parseHl7, value } from './hl7-message';
import { MappingContext, type Hl7MappingInput } from './mapping-context';
import { mapMerge, type PatientMerge } from './mrg.mapper';
import { mapResults } from './obr.mapper';
import { mapPatientLink, type PatientLinkEvent } from './patient-link.mapper';
import { mapPatient } from './pid.mapper';
import { mapEncounter } from './pv1.mapper';
import type { Hl7MappingFailure, Hl7MappingResult } from './hl7v2.types';

/**
 * What each supported event maps; anything else is refused as unsupported. `visit`: the event is about a visit and
 * needs PV1 to identify it ('required'), or may carry one (A08 is also sent for demographic changes with an empty PV1).
 */
interface EventPlan {
  visit?: 'required' | 'optional';
  allergies?: boolean;
  diagnoses?: boolean;
  merge?: boolean;
  /** A24/A37: two PID segments, the records (un)linked as one person. */
  patientLink?: 'link' | 'unlink';
  results?: boolean;
  /** PID identifies the patient only (see Hl7MappingSuccess.patientIfAbsent). */
  patientIfAbsent?: boolean;
}

const EVENTS: Record<string, EventPlan> = {
  'ADT^A01': { visit: 'required', allergies: true, diagnoses: true },
  'ADT^A02': { visit: 'required' },
  'ADT^A03': { visit: 'required', allergies: true, diagnoses: true },
  'ADT^A04': { visit: 'required', allergies: true, diagnoses: true },
  'ADT^A05': { visit: 'required', allergies: true, diagnoses: true },
  'ADT^A08': { visit: 'optional', allergies: true, diagnoses: true },
  'ADT^A11': { visit: 'required' },
  'ADT^A13': { visit: 'required', allergies: true, diagnoses: true },
  'ADT^A28': { allergies: true, diagnoses: true },
  'ADT^A31': { allergies: true, diagnoses: true },
  'ADT^A24': { patientLink: 'link', patientIfAbsent: true },
  'ADT^A37': { patientLink: 'unlink', patientIfAbsent: true },
  'ADT^A40': { merge: true },
  'ORU^R01': { results: true, patientIfAbsent: true },
};

export const SUPPORTED_HL7_EVENTS = Object.keys(EVENTS);

/** The versions NHS feeds send; others are mapped the same way, with a warning. */
const NHS_VERSIONS = new Set(['2.3', '2.3.1', '2.4', '2.5', '2.5.1']);

/** Referenced resources first, so a store without transaction-wide reference resolution never sees a dangling one. */
const TYPE_ORDER = [
  'Organization',
  'Practitioner',
  'Location',
  'Patient',
  'Encounter',
  'AllergyIntolerance',
  'Condition',
  'Observation',
  'DiagnosticReport',
];

/**
 * Maps one HL7 v2 message to FHIR R4 resources with deterministic ids. Pure: no I/O, and it never throws for bad
 * input; a message that cannot be mapped comes back as a failure with a specific code and the problems found.
 */
export function mapHl7v2Message(text: string, input: Hl7MappingInput): Hl7MappingResult {
  const parsed = parseHl7(text);
  if (!parsed.ok) return { ok: false, code: 'hl7-unparseable', problems: parsed.problems };
  const message = parsed.message;
  const msh = message.header;
  const messageId = value(msh, 10);
  const event = eventOf(message);
  const version = value(msh, 12);
  const failure = (
    code: Hl7MappingFailure['code'],
    problems: Hl7MappingFailure['problems'],
  ): Hl7MappingFailure => ({
    ok: false,
    code,
    problems,
    ...(messageId ? { messageId } : {}),
    ...(event ? { event } : {}),
  });

  if (!event)
    return failure('hl7-invalid', [
      { code: 'required', diagnostics: 'MSH-9 message type is empty', expression: ['MSH-9'] },
    ]);
  const plan = EVENTS[event];
  if (!plan) {
    return failure('hl7-unsupported-event', [
      {
        code: 'not-supported',
        diagnostics: `HL7 event ${event} is not supported (supported: ${SUPPORTED_HL7_EVENTS.join(', ')})`,
        expression: ['MSH-9'],
      },
    ]);
  }

  const patients = message.getAllSegments('PID').length;
  if (patients > (plan.patientLink ? 2 : 1)) {
    // mapping would attribute every later patient's results to the first one
    return failure('hl7-invalid', [
      {
        code: 'not-supported',
        diagnostics: `The message is about ${patients} patients (PID segments); Continuum takes one patient per message`,
        expression: ['PID'],
      },
    ]);
  }

  const ctx = new MappingContext(input);
  if (!messageId) ctx.invalid('MSH-10', 'MSH-10 message control id is empty', 'required');
  if (!NHS_VERSIONS.has(version))
    ctx.warn('MSH-12', `HL7 version '${version}' is outside 2.3-2.5.1; mapped as those are`);
  const trigger = event.split('^')[1];
  // the sending facility (MSH-4) provides the visit or performs the tests; person-level events do not name it
  const sender = () => organizationReference(ctx, value(msh, 4));

  const patient = mapPatient(ctx, message);
  let merge: PatientMerge | undefined;
  let patientLink: PatientLinkEvent | undefined;
  if (patient) {
    const encounter = plan.visit
      ? mapEncounter(ctx, message, patient, {
          trigger,
          serviceProvider: sender,
          required: plan.visit === 'required',
        })
      : undefined;
    if (plan.allergies) mapAllergies(ctx, message.getAllSegments('AL1'), patient);
    if (plan.diagnoses) mapDiagnoses(ctx, message.getAllSegments('DG1'), patient, encounter);
    if (plan.merge) merge = mapMerge(ctx, message, patient);
    if (plan.patientLink) patientLink = mapPatientLink(ctx, message, patient, plan.patientLink);
    if (plan.results) mapResults(ctx, message, patient, sender());
  }
  if (ctx.problems.length > 0 || !patient) return failure('hl7-invalid', ctx.problems);

  return {
    ok: true,
    messageId,
    event,
    version,
    resources: ordered(ctx.all()),
    patientId: patient.id,
    patientIfAbsent: plan.patientIfAbsent === true,
    patientRetains: [
      ...(message.getAllSegments('NK1').length === 0 ? ['contact'] : []),
      ...(message.getSegment('PD1') ? [] : ['generalPractitioner']),
    ],
    ...(merge ? { merge } : {}),
    ...(patientLink ? { patientLink } : {}),
    warnings: ctx.warnings,
  };
}

/** MSH-9 type^trigger; v2.2-style messages without a trigger there carry it in EVN-1. */
function eventOf(message: Hl7Message): string | undefined {
  const type = message.header.getComponent(9, 1).trim().toUpperCase();
  const trigger = (message.header.getComponent(9, 2) || message.getSegment('EVN')?.getComponent(1, 1) || '')
    .trim()
    .toUpperCase();
  if (!type) return undefined;
  return trigger ? `${type}^${trigger}` : type;
}

function ordered(resources: FhirResource[]): FhirResource[] {
  const rank = (resource: FhirResource) => {
    const index = TYPE_ORDER.indexOf(resource.resourceType);
    return index === -1 ? TYPE_ORDER.length : index;
  };
  return resources
    .map((resource, index) => ({ resource, index }))
    .sort((a, b) => rank(a.resource) - rank(b.resource) || a.index - b.index)
    .map(({ resource }) => resource);
}
