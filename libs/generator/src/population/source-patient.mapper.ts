import type { ContactPoint, Identifier, Patient } from 'fhir/r4';
import { IdentifierSystem, localIdentifierSystem, sourceScopedId, UkCoreExtension } from '@continuum/fhir';
import { hl7Date } from '../clinical/dates';
import { components, message, segment } from '../hl7/er7';
import type { SourceRecord } from './population.model';

const VERIFICATION_SYSTEM = 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland';

/** UK Core NHS number verification status (England): the codes the population uses. */
const VERIFICATION_DISPLAY: Record<string, string> = {
  '01': 'Number present and verified',
  '02': 'Number present but not traced',
  '04': 'Trace attempted - No match or multiple match found',
  '05': 'Trace needs to be resolved - (NHS number or patient detail conflict)',
  '06': 'Trace in progress',
};

/** The id Continuum stores the record under: the same for a FHIR source's Patient and a PAS's ADT. */
function patientId(record: SourceRecord): string {
  return sourceScopedId(record.source.id, 'Patient', record.localId);
}

function nhsNumberIdentifier(record: SourceRecord): Identifier[] {
  const { nhsNumber, nhsNumberStatus: status } = record;
  if (!nhsNumber) return [];
  if (!status) return [{ system: IdentifierSystem.nhsNumber, value: nhsNumber }];
  const coding = { system: VERIFICATION_SYSTEM, code: status, display: VERIFICATION_DISPLAY[status] };
  const extension = [{ url: UkCoreExtension.nhsNumberVerificationStatus, valueCodeableConcept: { coding: [coding] } }];
  return [{ extension, system: IdentifierSystem.nhsNumber, value: nhsNumber }];
}

/** A FHIR source's Patient (GP, community, out-of-hours, social care) as it sends it. */
export function fhirPatientOf(record: SourceRecord): Patient {
  const telecom: ContactPoint[] = record.phones.map((p) => ({ system: 'phone', value: p.value, use: p.use }));
  return {
    resourceType: 'Patient',
    id: patientId(record),
    meta: { source: record.source.id },
    identifier: [...nhsNumberIdentifier(record), { use: 'usual', system: record.source.patientIdSystem, value: record.localId }],
    name: [
      {
        use: 'official',
        family: record.family,
        given: record.middle ? [record.given, record.middle] : [record.given],
        ...(record.prefix ? { prefix: [record.prefix] } : {}),
      },
    ],
    ...(telecom.length > 0 ? { telecom } : {}),
    gender: record.sex,
    birthDate: record.birthDate,
    address: [
      {
        use: 'home',
        line: record.address.lines,
        city: record.address.town,
        district: record.address.county,
        postalCode: record.address.postcode,
        country: 'GB',
      },
    ],
    ...(record.multipleBirth ? { multipleBirthInteger: record.multipleBirth } : {}),
  };
}

/**
 * The acute trust's record: an ADT^A28 (add person) in the NHS ITK style (PID-3 NHS number and hospital number,
 * PID-32 the NHS number status, names and address in capitals as PAS systems keep them), and the Patient that
 * libs/fhir's HL7 v2 mapping makes of it, so the labelled Patient is what the platform would store.
 */
export function pasRecordOf(record: SourceRecord, sentAt: string): { hl7v2: string; patient: Patient } {
  const ods = record.source.odsCode;
  const up = (s: string | undefined) => s?.toUpperCase();
  const ids: string[] = [];
  if (record.nhsNumber) ids.push(components(record.nhsNumber, undefined, undefined, 'NHS', 'NH'));
  ids.push(components(record.localId, undefined, undefined, ods, 'MR'));
  const [line1, line2] = record.address.lines.map((l) => l.toUpperCase());
  const controlId = `${record.localId}A28`;
  const hl7v2 = message([
    `MSH|^~\\&|PAS|${ods}|ROUTE|ROUTE|${sentAt}||ADT^A28^ADT_A05|${controlId}|P|2.4|||||GBR|UNICODE|EN||iTKv1.0`,
    segment('EVN', { 1: 'A28', 2: sentAt }),
    segment('PID', {
      1: '1',
      3: ids.join('~'),
      5: components(up(record.family), up(record.given), up(record.middle), undefined, up(record.prefix), undefined, 'L'),
      7: hl7Date(record.birthDate),
      8: record.sex === 'male' ? '1' : '2',
      11: components(line1, line2, up(record.address.town), record.address.county, record.address.postcode, 'GBR', 'H'),
      13: record.phones.map((p) => components(p.value.replace(/\s/g, ''), 'PRN', p.use === 'mobile' ? 'CP' : 'PH')).join('~'),
      24: record.multipleBirth ? 'Y' : undefined,
      25: record.multipleBirth ? String(record.multipleBirth) : undefined,
      32: record.nhsNumber && record.nhsNumberStatus ? `NSTS${record.nhsNumberStatus}` : undefined,
    }),
  ]);
  const telecom: ContactPoint[] = record.phones.map((p) => ({ system: 'phone', value: p.value.replace(/\s/g, ''), use: p.use === 'mobile' ? 'mobile' : 'home' }));
  const patient: Patient = {
    resourceType: 'Patient',
    id: patientId(record),
    meta: { source: record.source.id },
    identifier: [...nhsNumberIdentifier(record), { system: localIdentifierSystem(record.source.id, ods), value: record.localId }],
    name: [
      {
        use: 'official',
        family: up(record.family),
        given: [up(record.given)!, ...(record.middle ? record.middle.toUpperCase().split(' ') : [])],
        ...(record.prefix ? { prefix: [record.prefix.toUpperCase()] } : {}),
      },
    ],
    ...(telecom.length > 0 ? { telecom } : {}),
    gender: record.sex,
    birthDate: record.birthDate,
    address: [
      {
        use: 'home',
        line: line2 ? [line1, line2] : [line1],
        city: up(record.address.town),
        district: record.address.county,
        postalCode: record.address.postcode,
        country: 'GBR',
      },
    ],
    ...(record.multipleBirth ? { multipleBirthInteger: record.multipleBirth } : {}),
  };
  return { hl7v2, patient };
}
