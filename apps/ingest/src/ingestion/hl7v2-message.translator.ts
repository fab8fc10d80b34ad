import { Injectable } from '@nestjs/common';
import type { FhirResource, Patient } from 'fhir/r4';
import { mapHl7v2Message, readHl7ControlId } from '@continuum/fhir';
import type { ConsumedMessage } from '@continuum/messaging';
import { rejection, type InboundEnvelope, type Rejection } from './inbound-envelope';
import type { MessageTranslator, Translation } from './translation';

/**
 * PID carries neither element: `active` and `link` are set by a merge (A40, an operator's $merge), and a later ADT
 * for either patient keeps them rather than undoing the merge.
 */
const SET_BY_MERGES = ['active', 'link'];

/**
 * `hl7v2.inbound`: one ER7 message (v2.3 to v2.5.1) mapped to FHIR (libs/fhir/src/hl7v2). MSH-10 is the message
 * id. An A40 is a merge for the store's merge service (the survivor's links are its to write, so the survivor is
 * upserted without them); A24/A37 carry the two records to link or unlink.
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
        ? {
            resource: withoutMergeLinks(resource),
            ifAbsent: result.patientIfAbsent,
            retain: [...result.patientRetains, ...SET_BY_MERGES],
          }
        : { resource };
    const patientLink = result.patientLink ? { patientLink: result.patientLink } : {};
    if (!result.merge) return { upserts: result.resources.map(upsert), deletes: [], ...patientLink };

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

function withoutMergeLinks(patient: Patient): Patient {
  const { link: _link, active: _active, ...rest } = patient;
  return rest;
}
