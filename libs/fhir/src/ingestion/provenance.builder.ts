import type { Provenance } from 'fhir/r4';
import { IdentifierSystem, localIdentifierSystem } from '../identifier-systems';
import { sourceScopedId } from './source-scoped-id';

export interface MessageOrigin {
  sourceSystem: string;
  messageId: string;
  receivedAt: string;
  /** Where the message was read from, for tracing a stored record back to the exact Kafka record. */
  topic: string;
  partition: number;
  offset: string;
}

/**
 * One Provenance per ingested message: which resources it wrote, who sent it (the source system, and its ODS
 * code when the source-system id starts with one, e.g. "RXX:PAS"), the message id and when it was received.
 * Its id derives from (source, message id), so a replayed message does not add a second Provenance.
 */
export function buildProvenance(
  targets: { resourceType: string; id: string }[],
  origin: MessageOrigin,
): Provenance {
  const odsCode = /^([A-Z0-9]{3,10}):/i.exec(origin.sourceSystem)?.[1]?.toUpperCase();
  return {
    resourceType: 'Provenance',
    id: sourceScopedId(origin.sourceSystem, 'Provenance', origin.messageId),
    target: targets.map(({ resourceType, id }) => ({ reference: `${resourceType}/${id}` })),
    recorded: origin.receivedAt,
    activity: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation',
          code: 'UPDATE',
          display: 'revise',
        },
      ],
    },
    agent: [
      {
        type: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
              code: 'author',
              display: 'Author',
            },
          ],
        },
        who: {
          display: origin.sourceSystem,
          ...(odsCode
            ? { identifier: { system: IdentifierSystem.odsOrganisationCode, value: odsCode } }
            : {}),
        },
      },
    ],
    entity: [
      {
        role: 'source',
        what: {
          identifier: {
            system: localIdentifierSystem(origin.sourceSystem, 'message-id'),
            value: origin.messageId,
          },
          display: `${origin.topic}/${origin.partition}@${origin.offset}`,
        },
      },
    ],
  };
}
