import { badRequest, parseReference } from '@continuum/fhir';
import type { LinkEventEntity } from '@continuum/store/identity';
import type { Parameters, ParametersParameter } from 'fhir/r4';
import type { LinkTarget, ReviewItem } from './identity-administration.service';
import { assertParametersShape } from './match-parameters';

/** Canonical base of the operations Continuum defines itself (review queue, link, unlink, history). */
export const CONTINUUM_OPERATION_BASE = 'https://continuum.nhs.uk/OperationDefinition';

/** What an identity administration operation was asked: the patient, and a person or another patient. */
export interface AdministrationRequest {
  patientId: string;
  /** `person` (a person id) or `otherPatient` (the person another record is). */
  target?: LinkTarget;
  reason?: string;
}

const ALLOWED = new Set(['patient', 'person', 'otherPatient', 'reason']);

/**
 * Reads the Parameters of `$link`, `$unlink`, `$review-accept` and `$review-reject`: `patient` (valueReference
 * `Patient/id`, required), `person` (valueId/valueString, a person id) or `otherPatient` (valueReference), `reason`
 * (valueString). Anything missing, repeated or malformed is a 400 naming it.
 */
export function parseAdministrationParameters(body: unknown, baseUrl: string): AdministrationRequest {
  if (
    typeof body !== 'object' ||
    body === null ||
    (body as { resourceType?: unknown }).resourceType !== 'Parameters'
  )
    throw badRequest('This operation takes a Parameters resource (patient, and person or otherPatient)');
  assertParametersShape(body as Parameters);
  const parameters = (body as Parameters).parameter ?? [];
  const unknown = parameters.map((parameter) => parameter.name).filter((name) => !ALLOWED.has(name));
  if (unknown.length) throw badRequest(`Unknown parameter(s): ${[...new Set(unknown)].join(', ')}`);
  const one = (name: string): ParametersParameter | undefined => {
    const found = parameters.filter((parameter) => parameter.name === name);
    if (found.length > 1) throw badRequest(`The parameter "${name}" is given more than once`);
    return found[0];
  };
  const patient = one('patient');
  if (!patient) throw badRequest('The parameter "patient" (valueReference Patient/id) is missing');
  const person = one('person');
  const other = one('otherPatient');
  if (person && other) throw badRequest('Give "person" or "otherPatient", not both');
  const personText = person ? (person.valueId ?? person.valueString ?? person.valueUuid) : undefined;
  const personId = typeof personText === 'string' ? personText.replace(/^urn:uuid:/, '') : undefined;

  if (person && !personId) throw badRequest('The parameter "person" must be a valueId (a person id)');
  const reason = one('reason');
  if (reason && typeof reason.valueString !== 'string')
    throw badRequest('The parameter "reason" must be a valueString');
  return {
    patientId: patientIdOf(patient, 'patient', baseUrl),
    target: personId
      ? { personId }
      : other
        ? { patientId: patientIdOf(other, 'otherPatient', baseUrl) }
        : undefined,
    reason: reason?.valueString,
  };
}

/** `$review-queue?_count=&patient=`: how many (1..500, default 50), and one patient's links only if named. */
export function parseReviewQueueQuery(
  params: readonly [string, string][],
  baseUrl: string,
): { count: number; patientId?: string } {
  const asked = params.filter(([name]) => name !== '_format' && name !== '_pretty');
  const unknown = asked.map(([name]) => name).filter((name) => name !== '_count' && name !== 'patient');
  if (unknown.length) throw badRequest(`Unknown $review-queue parameter(s): ${unknown.join(', ')}`);
  const countText = asked.find(([name]) => name === '_count')?.[1];
  const count = countText === undefined ? 50 : Number(countText);
  if (!Number.isInteger(count) || count < 1 || count > 500)
    throw badRequest('_count must be an integer from 1 to 500');
  const patient = asked.find(([name]) => name === 'patient')?.[1];
  const patientId = patient
    ? patientIdOf(
        {
          name: 'patient',
          valueReference: { reference: patient.includes('/') ? patient : `Patient/${patient}` },
        },
        'patient',
        baseUrl,
      )
    : undefined;
  return { count, patientId };
}

function patientIdOf(parameter: ParametersParameter, name: string, baseUrl: string): string {
  const reference = parameter.valueReference?.reference;
  if (typeof reference !== 'string' && reference !== undefined)
    throw badRequest(`The parameter "${name}" must be a valueReference to a local Patient (Patient/id)`);
  const parsed = reference ? parseReference(reference, baseUrl) : undefined;
  if (!parsed || parsed.external || parsed.type !== 'Patient')
    throw badRequest(`The parameter "${name}" must be a valueReference to a local Patient (Patient/id)`);
  return parsed.id;
}

/** The review queue as Parameters: one `link` per pending decision, its score and each field's weight. */
export function reviewQueueParameters(items: readonly ReviewItem[]): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: items.map(({ link, personRecords }) => ({
      name: 'link',
      part: [
        { name: 'patient', valueReference: { reference: `Patient/${link.patientId}` } },
        { name: 'person', valueId: link.personId },
        { name: 'state', valueCode: link.state },
        ...(link.score !== null ? [{ name: 'score', valueDecimal: link.score }] : []),
        ...personRecords.map((id) => ({
          name: 'personRecord',
          valueReference: { reference: `Patient/${id}` },
        })),
        ...explanationParts(link.explanation as Record<string, unknown> | null),
        { name: 'updated', valueInstant: new Date(link.updatedAt).toISOString() },
      ],
    })),
  };
}

/** The matcher's explanation (record compared with, prior, each field's level and weight, rules) as parts. */
function explanationParts(explanation: Record<string, unknown> | null): ParametersParameter[] {
  if (!explanation) return [];
  const parts: ParametersParameter[] = [];
  if (typeof explanation.comparedWith === 'string')
    parts.push({
      name: 'comparedWith',
      valueReference: { reference: `Patient/${explanation.comparedWith}` },
    });
  const prior = explanation.prior as { weight?: number } | undefined;
  if (typeof prior?.weight === 'number')
    parts.push({ name: 'priorWeight', valueDecimal: round(prior.weight) });
  for (const field of (explanation.fields as
    { field: string; level: string; weight: number }[] | undefined) ?? [])
    parts.push({
      name: 'field',
      part: [
        { name: 'name', valueCode: field.field },
        { name: 'level', valueCode: field.level },
        { name: 'weight', valueDecimal: round(field.weight) },
      ],
    });
  for (const rule of (explanation.rules as { rule: string; reason: string }[] | undefined) ?? [])
    parts.push({
      name: 'rule',
      part: [
        { name: 'name', valueCode: rule.rule },
        { name: 'reason', valueString: rule.reason },
      ],
    });
  if (typeof explanation.reason === 'string') parts.push({ name: 'reason', valueString: explanation.reason });
  return parts;
}

/** A patient's link history as Parameters: one `event` per change, oldest first. */
export function linkHistoryParameters(events: readonly LinkEventEntity[]): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: events.map((event) => ({
      name: 'event',
      part: [
        { name: 'person', valueId: event.personId },
        ...(event.previousState ? [{ name: 'previousState', valueCode: event.previousState }] : []),
        ...(event.state ? [{ name: 'state', valueCode: event.state }] : []),
        { name: 'origin', valueCode: event.origin },
        ...(event.score !== null ? [{ name: 'score', valueDecimal: event.score }] : []),
        { name: 'actor', valueString: event.actor },
        ...(event.reason ? [{ name: 'reason', valueString: event.reason }] : []),
        { name: 'recorded', valueInstant: new Date(event.recordedAt).toISOString() },
      ],
    })),
  };
}

/** The person a patient now is, as an operation's answer. */
export function personParameters(
  patientId: string,
  personId: string | undefined,
  records: readonly string[],
): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueReference: { reference: `Patient/${patientId}` } },
      ...(personId ? [{ name: 'person', valueId: personId }] : []),
      ...records.map((id) => ({ name: 'personRecord', valueReference: { reference: `Patient/${id}` } })),
    ],
  };
}

const round = (value: number) => Math.round(value * 1000) / 1000;
