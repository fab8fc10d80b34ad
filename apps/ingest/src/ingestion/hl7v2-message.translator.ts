import { Injectable } from '@nestjs/common';
import type { FhirResource, Patient } from 'fhir/r4';
import { mapHl7v2Message, readHl7ControlId } from '@continuum/fhir';
import type { ConsumedMessage } from '@continuum/messaging';
import { rejection, type InboundEnvelope, type Rejection } from './inbound-envelope';
import type { MessageTranslator, Translation } from './translation';

/**
 * `hl7v2.inbound`: one ER7 message (v2.3 to v2.5.1) mapped to FHIR (libs/fhir/src/hl7v2). MSH-10 is the message
 * id. An A40 merge becomes a link on both patients; the merged patient's stored record is patched, not replaced.
 */
@Injectable()
export class Hl7v2MessageTranslator implements MessageTranslator {
  messageIdOf(message: ConsumedMessage): string | Rejection | undefined {
    const read = readHl7ControlId(message.value?.toString('utf8') ?? '');
    return read.ok ? read.messageId : rejection('hl7-unparseable', read.problems);
  }

  translate(message: ConsumedMessage, envelope: InboundEnvelope): Translation | Rejection {
    const result = mapHl7v2Message(message.value?.toString('utf8') ?? '', {
      sourceSystem: envelope.sourceSystem,
      receivedAt: envelope.receivedAt.toISOString(),
    });
    if (!result.ok) return rejection(result.code, result.problems);
    const upsert = (resource: FhirResource) =>
      resource.resourceType === 'Patient'
        ? { resource, ifAbsent: result.patientIfAbsent, retain: result.patientRetains }
        : { resource };
    if (!result.merge) return { upserts: result.resources.map(upsert), deletes: [] };

    const mergedReference = `Patient/${result.merge.mergedPatientId}`;
    const merged = result.resources.find(
      (resource) => `${resource.resourceType}/${resource.id}` === mergedReference,
    ) as Patient;
    return {
      upserts: result.resources.filter((resource) => resource !== merged).map(upsert),
      deletes: [],
      merge: { ...result.merge, mergedPlaceholder: merged },
    };
  }
}
