import type { Patient } from 'fhir/r4';
import type { NormalisedResource } from '@continuum/fhir';
import type { ConsumedMessage } from '@continuum/messaging';
import type { InboundEnvelope, Rejection } from './inbound-envelope';

/** What one message asks the store to do, in source-scoped ids, after the topic's own parsing and mapping. */
export interface Translation {
  upserts: NormalisedResource[];
  deletes: { resourceType: string; id: string }[];
  /**
   * A patient merge (HL7 A40): the merged patient is marked inactive and linked to the survivor. Its stored
   * record is patched; the placeholder is stored only when that patient was never seen before.
   */
  merge?: { survivingPatientId: string; mergedPatientId: string; mergedPlaceholder: Patient };
}

/** A topic's way of turning a message into a Translation (FHIR JSON, HL7 v2), or refusing it with a reason. */
export interface MessageTranslator {
  /**
   * For HL7 v2 the message id is in the message itself (MSH-10); FHIR messages must carry the header. A Rejection
   * when the content is too broken to hold an id: that, not the missing header, is why such a message is refused.
   */
  messageIdOf?(message: ConsumedMessage): string | Rejection | undefined;
  translate(message: ConsumedMessage, envelope: InboundEnvelope): Translation | Rejection;
}
