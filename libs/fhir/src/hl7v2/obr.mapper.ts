import type { Hl7Message, Hl7Segment } from '@medplum/core';
import type { Annotation, Attachment, DiagnosticReport, Identifier, Reference } from 'fhir/r4';
import { localIdentifierSystem } from '../identifier-systems';
import { codeableConcept } from './datatype.mappers';
import { OBSERVATION_STATUS, REPORT_STATUS } from './hl7-code-tables';
import { first, repetitions, value } from './hl7-message';
import type { MappingContext } from './mapping-context';
import { mapObx } from './obx.mapper';
import type { MappedPatient } from './pid.mapper';
import { visitIdentifier } from './pv1.mapper';

const IDENTIFIER_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const SERVICE_SECTION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0074';
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

interface ReportGroup {
  obr: Hl7Segment;
  where: string;
  observations: { obx: Hl7Segment; where: string; notes: Annotation[] }[];
  /** NTE lines after the OBR, before its first OBX: comments on the whole report. */
  notes: Annotation[];
}

/** The R5 DiagnosticReport.note, back-ported to R4 (UK Core uses it as Extension-UKCore-DiagnosticReportNote). */
const REPORT_NOTE_EXTENSION = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-DiagnosticReport.note';

/**
 * ORU^R01: each OBR with the OBX lines after it to a DiagnosticReport with its Observations. The report is keyed by
 * the filler order number (OBR-3), else the placer's (OBR-2), so a corrected result updates the report it corrects.
 */
export function mapResults(
  ctx: MappingContext,
  message: Hl7Message,
  patient: MappedPatient,
  performer: Reference | undefined,
): void {
  const groups = reportGroups(message);
  if (groups.length === 0) {
    ctx.invalid('OBR', 'ORU^R01 has no OBR segment', 'required');
    return;
  }
  const visit = visitIdentifier(ctx, message.getSegment('PV1'));
  for (const group of groups) mapReport(ctx, group, patient, performer, visit);
}

function reportGroups(message: Hl7Message): ReportGroup[] {
  const groups: ReportGroup[] = [];
  let obrCount = 0;
  let obxCount = 0;
  for (const segment of message.segments) {
    const group = groups.at(-1);
    if (segment.name === 'OBR') {
      groups.push({ obr: segment, where: `OBR[${++obrCount}]`, observations: [], notes: [] });
    } else if (segment.name === 'OBX') {
      obxCount += 1;
      group?.observations.push({ obx: segment, where: `OBX[${obxCount}]`, notes: [] });
    } else if (segment.name === 'NTE' && group) {
      const text = repetitions(segment, 3)
        .map((line) => line.text)
        .join('\n');
      if (text) (group.observations.at(-1)?.notes ?? group.notes).push({ text });
    }
  }
  return groups;
}

function mapReport(
  ctx: MappingContext,
  group: ReportGroup,
  patient: MappedPatient,
  performer: Reference | undefined,
  visit: Identifier | undefined,
): void {
  const { obr, where } = group;
  const filler = first(obr, 3);
  const placer = first(obr, 2);
  const reportKey = filler.get(1)
    ? `filler|${filler.get(1)}`
    : placer.get(1)
      ? `placer|${placer.get(1)}`
      : undefined;
  const code = codeableConcept(ctx.sourceSystem, first(obr, 4));
  if (!reportKey)
    ctx.invalid(
      `${where}-3`,
      `${where} has neither a filler (OBR-3) nor a placer (OBR-2) order number to identify the report`,
      'required',
    );
  if (!code)
    ctx.invalid(
      `${where}-4`,
      `${where} has no universal service identifier (OBR-4), the report's code`,
      'required',
    );
  if (!reportKey || !code) return;

  const effective = ctx.dateTime(value(obr, 7), `${where}-7`);
  const reported = ctx.timestamp(value(obr, 22), `${where}-22`);
  // the report was available to the record at the latest when Continuum received it
  const issued = reported?.hasTime
    ? reported.dateTime
    : INSTANT.test(ctx.input.receivedAt)
      ? ctx.input.receivedAt
      : undefined;
  const encounter = visit ? { identifier: visit } : undefined;

  const results: Reference[] = [];
  const presentedForm: Attachment[] = [];
  const observationStatuses: string[] = [];
  for (const { obx, where: obxWhere, notes } of group.observations) {
    const mapped = mapObx(ctx, obx, obxWhere, notes, {
      reportKey,
      reportCode: code,
      subject: patient.reference,
      encounter,
      effective,
      issued,
    });
    if (mapped.kind === 'observation') {
      results.push({ reference: mapped.reference });
      observationStatuses.push(value(obx, 11).toUpperCase());
    }
    if (mapped.kind === 'document') presentedForm.push(mapped.attachment);
  }

  const category = value(obr, 24).toUpperCase();
  const report: DiagnosticReport & { id: string } = {
    resourceType: 'DiagnosticReport',
    id: ctx.id('DiagnosticReport', reportKey),
    ...(group.notes.length
      ? { extension: group.notes.map((note) => ({ url: REPORT_NOTE_EXTENSION, valueAnnotation: note })) }
      : {}),
    ...identifiers(ctx, filler.get(1), filler.get(2), placer.get(1), placer.get(2)),
    status: REPORT_STATUS[value(obr, 25).toUpperCase()] ?? statusFromResults(observationStatuses),
    ...(/^[A-Z]{2,3}$/.test(category)
      ? { category: [{ coding: [{ system: SERVICE_SECTION_SYSTEM, code: category }] }] }
      : {}),
    code,
    subject: { reference: patient.reference },
    ...(encounter ? { encounter } : {}),
    ...(effective ? { effectiveDateTime: effective } : {}),
    ...(issued ? { issued } : {}),
    ...(performer?.reference ? { performer: [{ reference: performer.reference }] } : {}),
    ...(results.length ? { result: results } : {}),
    ...(presentedForm.length ? { presentedForm } : {}),
  };
  ctx.add(report);
}

function identifiers(
  ctx: MappingContext,
  filler: string,
  fillerAuthority: string,
  placer: string,
  placerAuthority: string,
): Pick<DiagnosticReport, 'identifier'> {
  const identifier: Identifier[] = [];
  if (filler) {
    identifier.push({
      type: { coding: [{ system: IDENTIFIER_TYPE_SYSTEM, code: 'FILL', display: 'Filler Identifier' }] },
      system: localIdentifierSystem(ctx.sourceSystem, fillerAuthority || 'filler-order-number'),
      value: filler,
    });
  }
  if (placer) {
    identifier.push({
      type: { coding: [{ system: IDENTIFIER_TYPE_SYSTEM, code: 'PLAC', display: 'Placer Identifier' }] },
      system: localIdentifierSystem(ctx.sourceSystem, placerAuthority || 'placer-order-number'),
      value: placer,
    });
  }
  return identifier.length ? { identifier } : {};
}

/** Without OBR-25: final when every result is, otherwise unknown rather than a guess. */
function statusFromResults(statuses: string[]): DiagnosticReport['status'] {
  return statuses.length > 0 && statuses.every((status) => OBSERVATION_STATUS[status] === 'final')
    ? 'final'
    : 'unknown';
}
