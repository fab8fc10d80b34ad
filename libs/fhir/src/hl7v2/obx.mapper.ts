import type { Hl7Segment } from '@medplum/core';
import type {
  Annotation,
  Attachment,
  CodeableConcept,
  Observation,
  ObservationReferenceRange,
  Quantity,
} from 'fhir/r4';
import { codeableConcept, conceptKey } from './datatype.mappers';
import {
  ED_SUBTYPE_MIME,
  INTERPRETATION,
  INTERPRETATION_SYSTEM,
  OBSERVATION_STATUS,
  UCUM_UNITS,
} from './hl7-code-tables';
import { first, repetitions, value, type Hl7Repetition } from './hl7-message';
import type { MappingContext } from './mapping-context';

const UCUM = 'http://unitsofmeasure.org';

/** What an OBX becomes: an Observation, or (an embedded document) a presented form of its report. */
export type ObxResult =
  | { kind: 'observation'; reference: string }
  | { kind: 'document'; attachment: Attachment }
  | { kind: 'none' };

export interface ObxContext {
  reportKey: string;
  /** OBR-4, the code of a text line whose OBX-3 is empty. */
  reportCode: CodeableConcept;
  subject: string;
  encounter?: Observation['encounter'];
  effective?: string;
  issued?: string;
}

/** OBX to Observation: coded result, typed value, units, reference range, abnormal flags, status. */
export function mapObx(
  ctx: MappingContext,
  obx: Hl7Segment,
  where: string,
  notes: Annotation[],
  report: ObxContext,
): ObxResult {
  const valueType = value(obx, 2).toUpperCase();
  const values = repetitions(obx, 5);
  const embedded = values[0];
  // an embedded document is the report's rendering, not a result; NHS genomics feeds send it typed CE, so look at the data
  if (embedded && (valueType === 'ED' || embedded.get(4).toUpperCase() === 'BASE64')) {
    const attachment = documentAttachment(
      ctx,
      embedded,
      `${where}-5`,
      first(obx, 3).get(2) || report.reportCode.text,
    );
    return attachment ? { kind: 'document', attachment } : { kind: 'none' };
  }

  const ownCode = codeableConcept(ctx.sourceSystem, first(obx, 3));
  if (!ownCode && values.length === 0) return { kind: 'none' }; // a blank line of a text report
  const code = ownCode ?? report.reportCode;
  const setId = value(obx, 1) || where;
  const unit = unitOf(first(obx, 6));
  const effective = ctx.dateTime(value(obx, 14), `${where}-14`) ?? report.effective;
  const observation: Observation & { id: string } = {
    resourceType: 'Observation',
    id: ctx.id('Observation', `${report.reportKey}|${setId}|${conceptKey(code)}`),
    status: OBSERVATION_STATUS[value(obx, 11).toUpperCase()] ?? 'unknown',
    code,
    subject: { reference: report.subject },
    ...(report.encounter ? { encounter: report.encounter } : {}),
    ...(effective ? { effectiveDateTime: effective } : {}),
    ...(report.issued ? { issued: report.issued } : {}),
    ...observationValue(ctx, valueType, values, unit, where),
    ...interpretation(repetitions(obx, 8)),
    ...referenceRange(value(obx, 7), unit),
    ...(notes.length ? { note: notes } : {}),
  };
  return { kind: 'observation', reference: ctx.add(observation) };
}

type ObservationValue = Pick<
  Observation,
  'valueQuantity' | 'valueString' | 'valueCodeableConcept' | 'valueDateTime' | 'valueRatio' | 'valueRange'
>;

function observationValue(
  ctx: MappingContext,
  type: string,
  values: Hl7Repetition[],
  unit: Quantity,
  where: string,
): ObservationValue {
  if (values.length === 0) return {};
  const primary = values[0];
  switch (type) {
    case 'NM': {
      const quantity = numeric(primary.text, unit);
      return quantity ? { valueQuantity: quantity } : { valueString: primary.text };
    }
    case 'SN':
      return structuredNumeric(primary, unit) ?? { valueString: primary.text };
    case 'CE':
    case 'CWE':
    case 'CNE': {
      const concept = codeableConcept(ctx.sourceSystem, primary);
      return concept ? { valueCodeableConcept: concept } : {};
    }
    case 'TS':
    case 'DT':
    case 'DTM': {
      const when = ctx.dateTime(primary.get(1), `${where}-5`);
      return when ? { valueDateTime: when } : {};
    }
    case 'ST':
    case 'TX':
    case 'FT':
      return { valueString: values.map((repetition) => repetition.text).join('\n') };
    default:
      ctx.warn(`${where}-2`, `${where} value type '${type}' is not mapped to a typed value; kept as text`);
      return { valueString: values.map((repetition) => repetition.text).join('\n') };
  }
}

/** OBX-6 units: UCUM when the sender says so or the unit is a common lab unit written another way. */
function unitOf(ce: Hl7Repetition): Quantity {
  const unit = ce.get(1) || ce.get(2);
  if (!unit) return {};
  if (ce.get(3).toUpperCase() === 'UCUM') return { unit, system: UCUM, code: unit };
  const ucum = UCUM_UNITS[unit];
  return ucum ? { unit, system: UCUM, code: ucum } : { unit };
}

const NUMBER = /^(<=|>=|<|>)?\s*([+-]?\d+(?:\.\d+)?|[+-]?\.\d+)$/;

function numeric(text: string, unit: Quantity): Quantity | undefined {
  const match = NUMBER.exec(text.trim());
  if (!match) return undefined;
  const comparator = match[1] as Quantity['comparator'] | undefined;
  return { ...(comparator ? { comparator } : {}), value: Number(match[2]), ...unit };
}

/** SN: comparator^number^separator/suffix^number, e.g. >^90, ^1^:^128 (a ratio), ^10^-^20 (a range). */
function structuredNumeric(sn: Hl7Repetition, unit: Quantity): ObservationValue | undefined {
  const [comparator, first, separator, second] = [sn.get(1), sn.get(2), sn.get(3), sn.get(4)];
  const a = Number(first);
  const b = Number(second);
  if (first === '' || Number.isNaN(a)) return undefined;
  if ((separator === ':' || separator === '/') && second !== '' && !Number.isNaN(b)) {
    return { valueRatio: { numerator: { value: a }, denominator: { value: b } } };
  }
  if (separator === '-' && second !== '' && !Number.isNaN(b)) {
    return { valueRange: { low: { value: a, ...unit }, high: { value: b, ...unit } } };
  }
  if (separator || comparator === '<>') return undefined;
  return { valueQuantity: numeric(`${comparator === '=' ? '' : comparator}${first}`, unit) };
}

/** OBX-7, e.g. 3.5-5.0, <5, >=10; always kept as text too, since labs write ranges many ways. */
function referenceRange(text: string, unit: Quantity): Pick<Observation, 'referenceRange'> {
  if (!text) return {};
  const range: ObservationReferenceRange = { text };
  const between = /^\s*(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  const bound = /^\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  const quantity = (number: string) => ({ value: Number(number), ...unit });
  if (between) {
    range.low = quantity(between[1]);
    range.high = quantity(between[2]);
  } else if (bound?.[1].startsWith('<')) {
    range.high = quantity(bound[2]);
  } else if (bound) {
    range.low = quantity(bound[2]);
  }
  return { referenceRange: [range] };
}

function interpretation(flags: Hl7Repetition[]): Pick<Observation, 'interpretation'> {
  const concepts = flags
    .map((flag) => flag.get(1))
    .filter(Boolean)
    .map((code): CodeableConcept => {
      const display = INTERPRETATION[code.toUpperCase()];
      return display
        ? { coding: [{ system: INTERPRETATION_SYSTEM, code: code.toUpperCase(), display }] }
        : { text: code };
    });
  return concepts.length ? { interpretation: concepts } : {};
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** ED: source application^type^subtype^encoding^data. Invalid base64 is a problem: the report itself would be lost. */
function documentAttachment(
  ctx: MappingContext,
  ed: Hl7Repetition,
  where: string,
  title: string | undefined,
): Attachment | undefined {
  const subtype = ed.get(3);
  const contentType = subtype.includes('/')
    ? subtype.toLowerCase()
    : (ED_SUBTYPE_MIME[subtype.toUpperCase()] ?? 'application/octet-stream');
  const encoding = ed.get(4).toUpperCase();
  const raw = ed.get(5);
  let data: string;
  if (encoding === 'BASE64') {
    const compact = raw.replace(/\s+/g, '');
    if (!BASE64.test(compact) || compact.length % 4 === 1) {
      ctx.invalid(where, `${where} embedded ${contentType} document is not valid base64 data`);
      return undefined;
    }
    // unpadded base64 is the same data; FHIR's base64Binary wants the padding
    data = compact.padEnd(Math.ceil(compact.length / 4) * 4, '=');
  } else if (encoding === 'HEX') {
    data = Buffer.from(raw, 'hex').toString('base64');
  } else {
    data = Buffer.from(raw, 'utf8').toString('base64');
  }
  if (!data) {
    ctx.invalid(where, `${where} embedded document has no data`);
    return undefined;
  }
  return { contentType, data, ...(title ? { title } : {}) };
}
