import type { Patient } from 'fhir/r4';
import type { NormalisedResource, PatientLinkEvent } from '@continuum/fhir';
import type { ConsumedMessage } from '@continuum/messaging';
import type { InboundEnvelope, Rejection } from './inbound-envelope';

/** What one message asks the store to do, in source-scoped ids, after the topic's own parsing and mapping. */
export interface Translation {
  upserts: NormalisedResource[];
  deletes: { resourceType: string; id: string }[];
  /**
   * A patient merge (HL7 A40), applied by the store's PatientMergeService after the upserts: the merged patient
   * inactive and `replaced-by` the survivor, every reference to it re-pointed, its identity a REDIRECT. The
   * placeholder is stored as the merged patient only when that patient was never seen before.
   */
  merge?: { survivingPatientId: string; mergedPatientId: string; mergedPlaceholder: Patient };
  /** HL7 A24/A37: the source links (or unlinks) two of its records as one person, in the master patient index. */
  patientLink?: PatientLinkEvent;
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
