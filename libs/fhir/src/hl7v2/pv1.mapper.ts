import type { Hl7Message, Hl7Segment } from '@medplum/core';
import type {
  Coding,
  Encounter,
  EncounterLocation,
  EncounterParticipant,
  Identifier,
  Reference,
} from 'fhir/r4';
import { localIdentifierSystem } from '../identifier-systems';
import { locationReference, practitionerReference } from './actor.mappers';
import { codeableConcept, localCodeSystem } from './datatype.mappers';
import {
  ACT_CODE_SYSTEM,
  ADMISSION_METHOD,
  ADMISSION_METHOD_EXTENSION,
  ADMISSION_METHOD_SYSTEM,
  ENCOUNTER_STATUS_BY_EVENT,
  PARTICIPANT_FIELDS,
  PATIENT_CLASS,
} from './hl7-code-tables';
import { first, repetitions, value } from './hl7-message';
import type { MappingContext } from './mapping-context';
import type { MappedPatient } from './pid.mapper';

const PARTICIPATION_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';

export interface EncounterOptions {
  /** The trigger event (A01, A03, ...) that sets the status. */
  trigger: string;
  /** The organisation that sent the message (MSH-4), the encounter's service provider. */
  serviceProvider: () => Reference | undefined;
  /** ADT visit events need a PV1 that identifies the visit; person-level events and results do not. */
  required: boolean;
}

/**
 * The visit's business identifier (PV1-19), the same way for ADT and results, so a report can point at the visit
 * by identifier without re-sending (and overwriting) the Encounter.
 */
export function visitIdentifier(ctx: MappingContext, pv1: Hl7Segment | undefined): Identifier | undefined {
  if (!pv1) return undefined;
  const visit = first(pv1, 19);
  return visit.get(1)
    ? {
        system: localIdentifierSystem(ctx.sourceSystem, visit.get(4, 1) || 'visit-number'),
        value: visit.get(1),
      }
    : undefined;
}

/**
 * PV1/PV2 to Encounter. The id comes from the visit number (PV1-19), or the patient and admit time (PV1-44) when
 * there is none, so A01, A02, A08 and A03 about one visit all update one Encounter.
 */
export function mapEncounter(
  ctx: MappingContext,
  message: Hl7Message,
  patient: MappedPatient,
  options: EncounterOptions,
): string | undefined {
  const pv1 = message.getSegment('PV1');
  if (!pv1) {
    if (options.required) ctx.invalid('PV1', `ADT^${options.trigger} needs a PV1 segment`, 'required');
    return undefined;
  }
  const identifier = visitIdentifier(ctx, pv1);
  const admitRaw = value(pv1, 44);
  const key = identifier?.value ?? (admitRaw ? `${patient.key}|${admitRaw}` : undefined);
  if (!key) {
    const diagnostics =
      'PV1 has neither a visit number (PV1-19) nor an admit date (PV1-44) to identify the visit';
    if (options.required) ctx.invalid('PV1-19', diagnostics, 'required');
    else ctx.warn('PV1-19', `${diagnostics}; no Encounter mapped`);
    return undefined;
  }

  const serviceProvider = options.serviceProvider();
  const pv2 = message.getSegment('PV2');
  const planned = ENCOUNTER_STATUS_BY_EVENT[options.trigger] === 'planned';
  // a pre-admission has no admit time yet: its period is the expected one (PV2-8, PV2-9)
  const start =
    ctx.dateTime(admitRaw, 'PV1-44') ?? (planned && pv2 ? ctx.dateTime(value(pv2, 8), 'PV2-8') : undefined);
  const dischargedAt =
    ctx.dateTime(value(pv1, 45), 'PV1-45') ??
    (options.trigger === 'A03' ? eventTime(ctx, message) : undefined) ??
    (planned && pv2 ? ctx.dateTime(value(pv2, 9), 'PV2-9') : undefined);
  const status =
    ENCOUNTER_STATUS_BY_EVENT[options.trigger] ??
    (dischargedAt ? 'finished' : start ? 'in-progress' : 'unknown');
  // a cancelled discharge (A13) reopens the visit: the end it may still carry no longer holds
  const end = options.trigger === 'A13' ? undefined : dischargedAt;
  if (start && end && Date.parse(end) < Date.parse(start)) {
    ctx.invalid('PV1-45', `The visit ends (${end}) before it starts (PV1-44 ${start})`);
  }

  const encounter: Encounter & { id: string } = {
    resourceType: 'Encounter',
    id: ctx.id('Encounter', key),
    ...(identifier ? { identifier: [identifier] } : {}),
    status,
    class: encounterClass(ctx, value(pv1, 2)),
    ...serviceType(ctx, pv1),
    ...admitReason(ctx, pv2),
    subject: { reference: patient.reference },
    ...participants(ctx, pv1),
    ...(start || end ? { period: { ...(start ? { start } : {}), ...(end ? { end } : {}) } } : {}),
    ...admissionMethod(ctx, pv1),
    ...hospitalization(ctx, pv1),
    ...locations(ctx, pv1, options.trigger, status, serviceProvider),
    ...(serviceProvider?.reference ? { serviceProvider: { reference: serviceProvider.reference } } : {}),
  };
  return ctx.add(encounter);
}

/** EVN-6 event occurred, else EVN-2 recorded: when a discharge without PV1-45 happened. */
function eventTime(ctx: MappingContext, message: Hl7Message): string | undefined {
  const evn = message.getSegment('EVN');
  if (!evn) return undefined;
  return ctx.dateTime(value(evn, 6), 'EVN-6') ?? ctx.dateTime(value(evn, 2), 'EVN-2');
}

function encounterClass(ctx: MappingContext, patientClass: string): Coding {
  const code = patientClass.toUpperCase();
  const mapped = PATIENT_CLASS[code];
  if (mapped) return { system: ACT_CODE_SYSTEM, ...mapped };
  if (!code)
    return { system: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor', code: 'UNK', display: 'unknown' };
  return { system: localCodeSystem(ctx.sourceSystem, 'hl7v2-0004'), code };
}

/** PV2-3 admit reason: coded when the sender gives a coding system or a description, free text otherwise. */
function admitReason(ctx: MappingContext, pv2: Hl7Segment | undefined): Pick<Encounter, 'reasonCode'> {
  if (!pv2) return {};
  const reason = first(pv2, 3);
  if (!reason.get(1) && !reason.get(2)) return {};
  const coded = reason.get(3) || reason.get(2) ? codeableConcept(ctx.sourceSystem, reason) : undefined;
  return { reasonCode: [coded ?? { text: reason.get(1) }] };
}

/**
 * PV1-4 admission type. NHS feeds send the NHS Data Dictionary admission method there (11-13 elective, 21-2D
 * emergency, 31-32 maternity, 81-83 other), which commissioning's admitted patient care pack reads from the UK Core
 * AdmissionMethod extension; a value outside that table is kept in the sender's own table (HL7 0007), with a warning.
 */
function admissionMethod(ctx: MappingContext, pv1: Hl7Segment): Pick<Encounter, 'extension'> {
  const code = value(pv1, 4).toUpperCase();
  if (!code) return {};
  const display = ADMISSION_METHOD[code];
  if (!display)
    ctx.warn(
      'PV1-4',
      `Admission type '${code}' is not an NHS Data Dictionary admission method; kept as the sender's code`,
    );
  const coding: Coding = display
    ? { system: ADMISSION_METHOD_SYSTEM, code, display }
    : { system: localCodeSystem(ctx.sourceSystem, 'hl7v2-0007'), code };
  return { extension: [{ url: ADMISSION_METHOD_EXTENSION, valueCodeableConcept: { coding: [coding] } }] };
}

/** PV1-10 hospital service (NHS feeds: the treatment function code), a table local to the sender. */
function serviceType(ctx: MappingContext, pv1: Hl7Segment): Pick<Encounter, 'serviceType'> {
  const code = value(pv1, 10);
  return code
    ? { serviceType: { coding: [{ system: localCodeSystem(ctx.sourceSystem, 'hl7v2-0069'), code }] } }
    : {};
}

function participants(ctx: MappingContext, pv1: Hl7Segment): Pick<Encounter, 'participant'> {
  const participant: EncounterParticipant[] = PARTICIPANT_FIELDS.flatMap(({ field, code, display }) =>
    repetitions(pv1, field).flatMap((xcn) => {
      const individual = practitionerReference(ctx, xcn);
      return individual
        ? [{ type: [{ coding: [{ system: PARTICIPATION_TYPE_SYSTEM, code, display }] }], individual }]
        : [];
    }),
  );
  return participant.length ? { participant } : {};
}

/** PV1-36 discharge disposition; HL7 table 0112 is user-defined, so the code system is the sender's. */
function hospitalization(ctx: MappingContext, pv1: Hl7Segment): Pick<Encounter, 'hospitalization'> {
  const disposition = value(pv1, 36);
  if (!disposition) return {};
  return {
    hospitalization: {
      dischargeDisposition: {
        coding: [{ system: localCodeSystem(ctx.sourceSystem, 'hl7v2-0112'), code: disposition }],
      },
    },
  };
}

/** PV1-3 where the patient is (PV1-6, where they were, for a transfer). */
function locations(
  ctx: MappingContext,
  pv1: Hl7Segment,
  trigger: string,
  status: Encounter['status'],
  serviceProvider: Reference | undefined,
): Pick<Encounter, 'location'> {
  const current = locationReference(ctx, first(pv1, 3), serviceProvider);
  const prior = trigger === 'A02' ? locationReference(ctx, first(pv1, 6), serviceProvider) : undefined;
  const currentStatus: EncounterLocation['status'] =
    status === 'finished' ? 'completed' : status === 'planned' ? 'planned' : 'active';
  const location: EncounterLocation[] = [
    ...(current ? [{ location: current, status: currentStatus }] : []),
    ...(prior && prior.reference !== current?.reference
      ? [{ location: prior, status: 'completed' as const }]
      : []),
  ];
  return location.length ? { location } : {};
}
