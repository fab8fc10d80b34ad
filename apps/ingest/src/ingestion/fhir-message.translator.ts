import { Injectable } from '@nestjs/common';
import { normaliseInbound, parseInboundMessage } from '@continuum/fhir';
import type { ConsumedMessage } from '@continuum/messaging';
import { rejection, type InboundEnvelope, type Rejection } from './inbound-envelope';
import type { MessageTranslator, Translation } from './translation';

/** `fhir.inbound`: one resource or a transaction/batch/collection Bundle, normalised by the documented rules. */
@Injectable()
export class FhirMessageTranslator implements MessageTranslator {
  translate(message: ConsumedMessage, envelope: InboundEnvelope): Translation | Rejection {
    const parsed = parseInboundMessage(message.value);
    if (!parsed.ok) return rejection(parsed.code, parsed.problems);
    const normalised = normaliseInbound(parsed.content, envelope.sourceSystem);
    if (!normalised.ok) return rejection('invalid-content', normalised.problems);
    return normalised.content;
  }
}
