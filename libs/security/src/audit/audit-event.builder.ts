import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding } from 'fhir/r4';
import { printableText } from '@continuum/fhir';
import type { AccessContext } from '../access/access-context';

/** The RESTful interaction audited (BALP subtypes: FHIR restful-interaction codes). */
export type AuditedInteraction =
  | 'read'
  | 'vread'
  | 'search-type'
  | 'search-system'
  | 'history-instance'
  | 'history-type'
  | 'history-system'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'transaction'
  | 'batch'
  | 'operation';

/** What happened to the request: success, refused (denied, 4xx) or failed (5xx). */
export type AuditOutcome = 'success' | 'refused' | 'failed';

/**
 * Who asked, as far as known: a full access context, or only the subject and client of a token that was valid but
 * refused (mixed scopes, an unknown role).
 */
export type AuditedCaller = Pick<AccessContext, 'subject' | 'clientId'> &
  Partial<Pick<AccessContext, 'organisation' | 'role' | 'purposeOfUse' | 'breakGlassReason'>>;

/** Resources of one type disclosed together. */
export interface DisclosedCount {
  resourceType: string;
  count: number;
}

export interface AuditFacts {
  interaction: AuditedInteraction;
  outcome: AuditOutcome;
  outcomeDescription?: string;
  /** Who asked; absent when the caller could not be identified (no token, a bad token). */
  access?: AuditedCaller;
  /** Patients whose data was touched or asked for. */
  patientIds: string[];
  /** `Type/id` or `Type/id/_history/n` of resources read or written. */
  resources?: string[];
  /**
   * How many resources of each type left (a bulk export's checkpoint): named by count where listing every resource
   * would make one event per million rows; the patients above say whose they were.
   */
  disclosed?: DisclosedCount[];
  /** The query (path and query string) of a search, history or operation. */
  query?: string;
  correlationId?: string;
  observer: string;
  now?: Date;
}

const ACTIONS: Record<AuditedInteraction, AuditEvent['action']> = {
  read: 'R',
  vread: 'R',
  'history-instance': 'R',
  'history-type': 'E',
  'history-system': 'E',
  'search-type': 'E',
  'search-system': 'E',
  create: 'C',
  update: 'U',
  patch: 'U',
  delete: 'D',
  transaction: 'E',
  batch: 'E',
  operation: 'E',
};
const OUTCOMES: Record<AuditOutcome, AuditEvent['outcome']> = { success: '0', refused: '4', failed: '8' };

const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
/** Marks an access made by breaking the glass on a patient's objection. */
export const BREAK_GLASS: Coding = { system: ACT_REASON, code: 'BTG', display: 'break the glass' };

/**
 * A FHIR AuditEvent following IHE BALP (Basic Audit Log Patterns) where it fits: type rest + restful-interaction
 * subtype, the user and client as agents, the server as observer, the patients and the resources or query as
 * entities, the outcome and the purpose of use. Pure: the id and time come from arguments when given.
 */
export function buildAuditEvent(facts: AuditFacts): AuditEvent {
  const purposes = purposeOfUse(facts.access);
  // Text that can come from the caller (an error message echoing a parameter, a claim, a header) goes through
  // printableText: jsonb refuses NUL and lone surrogates, and an audit write that fails fails the request.
  return {
    resourceType: 'AuditEvent',
    id: randomUUID(),
    type: {
      system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
      code: 'rest',
      display: 'RESTful Operation',
    },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: facts.interaction }],
    action: ACTIONS[facts.interaction],
    recorded: (facts.now ?? new Date()).toISOString(),
    outcome: OUTCOMES[facts.outcome],
    ...(facts.outcomeDescription ? { outcomeDesc: printableText(facts.outcomeDescription, 1000) } : {}),
    ...(purposes.length ? { purposeOfEvent: purposes.map((coding) => ({ coding: [coding] })) } : {}),
    agent: agents(facts, purposes),
    source: {
      observer: { display: facts.observer },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
    entity: entities(facts),
  };
}

function purposeOfUse(access: AuditFacts['access']): Coding[] {
  if (!access?.purposeOfUse) return [];
  return [
    { system: ACT_REASON, code: access.purposeOfUse },
    ...(access.breakGlassReason ? [BREAK_GLASS] : []),
  ];
}

function agents(facts: AuditFacts, purposes: Coding[]): AuditEventAgent[] {
  const access = facts.access;
  if (!access)
    return [
      {
        type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
        requestor: true,
        name: 'unidentified caller',
      },
    ];
  return [
    {
      type: {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
            code: 'IRCP',
            display: 'information recipient',
          },
        ],
      },
      who: { identifier: { value: printableText(access.subject) } },
      requestor: true,
      ...(access.role ? { role: [{ text: access.role }] } : {}),
      ...(access.organisation ? { altId: printableText(access.organisation) } : {}),
      ...(purposes.length
        ? {
            purposeOfUse: purposes.map((coding) => ({
              coding: [coding],
              ...(coding.code === 'BTG' && access.breakGlassReason
                ? { text: printableText(access.breakGlassReason, 1000) }
                : {}),
            })),
          }
        : {}),
    },
    {
      type: { coding: [{ system: DCM, code: '110150', display: 'Application' }] },
      who: { identifier: { value: printableText(access.clientId) } },
      requestor: false,
    },
  ];
}

function entities(facts: AuditFacts): AuditEventEntity[] {
  return [
    ...facts.patientIds.map((id) => ({
      what: { reference: `Patient/${id}` },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    })),
    ...(facts.resources ?? []).map((reference) => ({
      what: { reference: printableText(reference) },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    })),
    ...(facts.disclosed ?? []).map(({ resourceType, count }) => ({
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
      name: resourceType,
      detail: [{ type: 'count', valueString: String(count) }],
    })),
    ...(facts.query
      ? [
          {
            type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
            role: { system: OBJECT_ROLE, code: '24', display: 'Query' },
            query: Buffer.from(facts.query, 'utf8').toString('base64'),
          },
        ]
      : []),
    ...(facts.correlationId
      ? [
          {
            what: { identifier: { value: printableText(facts.correlationId) } },
            type: {
              system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType',
              code: 'XrequestId',
            },
          },
        ]
      : []),
  ];
}

/** The patients an AuditEvent names (for the audit table's patient column). */
export function auditedPatients(event: AuditEvent): string[] {
  return (event.entity ?? []).flatMap((entity) => {
    const match = /^Patient\/([^/]+)$/.exec(entity.what?.reference ?? '');
    return match && entity.role?.code === '1' ? [match[1]] : [];
  });
}
