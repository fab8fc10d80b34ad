import type { Extension, Patient } from 'fhir/r4';
import type { Hl7Message, Hl7Segment } from '@medplum/core';
import { address, contactPoint, humanName } from './datatype.mappers';
import {
  ADMINISTRATIVE_SEX,
  ETHNIC_CATEGORY,
  ETHNIC_CATEGORY_SYSTEM,
  MARITAL_STATUS,
  MARITAL_STATUS_SYSTEM,
} from './hl7-code-tables';
import { first, repetitions, value } from './hl7-message';
import type { MappingContext } from './mapping-context';
import { contactsFromNk1 } from './nk1.mapper';
import { nhsNumberStatus, patientIdentity } from './patient-identity';
import { generalPractitionersFromPd1 } from './pd1.mapper';

const EXT = {
  ethnicCategory: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory',
  mothersMaidenName: 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName',
  birthPlace: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace',
  birthTime: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime',
};

export interface MappedPatient {
  reference: string;
  id: string;
  key: string;
}

/** PID (with PD1 and NK1) to Patient. Returns undefined when the patient cannot be identified; the problem is recorded. */
export function mapPatient(ctx: MappingContext, message: Hl7Message): MappedPatient | undefined {
  const pid = message.getSegment('PID');
  if (!pid) {
    ctx.invalid('PID', 'The message has no PID segment', 'required');
    return undefined;
  }
  const identity = patientIdentity(ctx, repetitions(pid, 3), 'PID-3', {
    olderExternalId: first(pid, 2),
    verificationStatus: nhsNumberStatus(repetitions(pid, 32)),
  });
  if (!identity) return undefined;

  const id = ctx.id('Patient', identity.key);
  const birth = ctx.timestamp(value(pid, 7), 'PID-7');
  const patient: Patient & { id: string } = {
    resourceType: 'Patient',
    id,
    ...extensions(pid),
    identifier: identity.identifiers,
    ...nonEmpty('name', repetitions(pid, 5).map(humanName)),
    ...nonEmpty('telecom', [
      ...repetitions(pid, 13).map((xtn) => contactPoint(xtn, 'home')),
      ...repetitions(pid, 14).map((xtn) => contactPoint(xtn, 'work')),
    ]),
    ...gender(ctx, value(pid, 8), 'PID-8'),
    ...(birth ? { birthDate: birth.date } : {}),
    ...(birth?.hasTime
      ? { _birthDate: { extension: [{ url: EXT.birthTime, valueDateTime: birth.dateTime }] } }
      : {}),
    ...deceased(ctx, pid),
    ...nonEmpty('address', repetitions(pid, 11).map(address)),
    ...maritalStatus(value(pid, 16)),
    ...multipleBirth(pid),
    ...nonEmpty('contact', contactsFromNk1(ctx, message.getAllSegments('NK1'))),
    ...communication(value(pid, 15)),
    ...nonEmpty('generalPractitioner', generalPractitionersFromPd1(ctx, message.getSegment('PD1'))),
  };
  return { reference: ctx.add(patient), id, key: identity.key };
}

export function gender(ctx: MappingContext, code: string, expression: string): Pick<Patient, 'gender'> {
  if (!code) return {};
  const mapped = ADMINISTRATIVE_SEX[code.toUpperCase()];
  if (!mapped) ctx.warn(expression, `${expression} sex '${code}' is not a known code; gender left out`);
  return mapped ? { gender: mapped } : {};
}

function extensions(pid: Hl7Segment): Pick<Patient, 'extension'> {
  const extension: Extension[] = [];
  const ethnic = value(pid, 22).toUpperCase();
  if (ETHNIC_CATEGORY[ethnic]) {
    extension.push({
      url: EXT.ethnicCategory,
      valueCodeableConcept: {
        coding: [{ system: ETHNIC_CATEGORY_SYSTEM, code: ethnic, display: ETHNIC_CATEGORY[ethnic] }],
      },
    });
  }
  const mothersMaidenName = value(pid, 6);
  if (mothersMaidenName) extension.push({ url: EXT.mothersMaidenName, valueString: mothersMaidenName });
  const birthPlace = value(pid, 23);
  if (birthPlace) extension.push({ url: EXT.birthPlace, valueAddress: { text: birthPlace } });
  return extension.length ? { extension } : {};
}

function deceased(
  ctx: MappingContext,
  pid: Hl7Segment,
): Pick<Patient, 'deceasedDateTime' | 'deceasedBoolean'> {
  const when = ctx.dateTime(value(pid, 29), 'PID-29');
  if (when) return { deceasedDateTime: when };
  const indicator = value(pid, 30).toUpperCase();
  return indicator === 'Y' ? { deceasedBoolean: true } : indicator === 'N' ? { deceasedBoolean: false } : {};
}

function maritalStatus(code: string): Pick<Patient, 'maritalStatus'> {
  const display = MARITAL_STATUS[code.toUpperCase()];
  return display
    ? { maritalStatus: { coding: [{ system: MARITAL_STATUS_SYSTEM, code: code.toUpperCase(), display }] } }
    : {};
}

function multipleBirth(pid: Hl7Segment): Pick<Patient, 'multipleBirthBoolean' | 'multipleBirthInteger'> {
  const order = Number(value(pid, 25));
  if (Number.isInteger(order) && order > 0) return { multipleBirthInteger: order };
  const indicator = value(pid, 24).toUpperCase();
  return indicator === 'Y'
    ? { multipleBirthBoolean: true }
    : indicator === 'N'
      ? { multipleBirthBoolean: false }
      : {};
}

/** PID-15 primary language: two or three letter codes are BCP-47 language tags once lower-cased. */
function communication(code: string): Pick<Patient, 'communication'> {
  if (!/^[a-z]{2,3}$/i.test(code)) return {};
  return {
    communication: [
      { language: { coding: [{ system: 'urn:ietf:bcp:47', code: code.toLowerCase() }] }, preferred: true },
    ],
  };
}

/** `{ [key]: values }` without the undefined ones, or nothing when none is left (FHIR has no empty arrays). */
export function nonEmpty<K extends string, T>(key: K, values: (T | undefined)[]): Partial<Record<K, T[]>> {
  const present = values.filter((item): item is T => item !== undefined);
  return (present.length ? { [key]: present } : {}) as Partial<Record<K, T[]>>;
}
