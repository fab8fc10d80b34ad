import type { OperationOutcome } from 'fhir/r4';
import { operationOutcome, type Problem } from '@continuum/fhir';
import { Header, type ConsumedMessage } from '@continuum/messaging';

/** Who sent a message and which one it is: the contract's required headers, checked before anything else. */
export interface InboundEnvelope {
  sourceSystem: string;
  messageId: string;
  receivedAt: Date;
}

/** A message that cannot be ingested, with the reason the dead-letter record will carry. */
export interface Rejection {
  code: string;
  reason: string;
  outcome: OperationOutcome;
}

export function rejection(code: string, problems: Problem[]): Rejection {
  return {
    code,
    reason: problems
      .map(
        (problem) =>
          `${problem.diagnostics}${problem.expression ? ` (at ${problem.expression.join(', ')})` : ''}`,
      )
      .join('; '),
    outcome: operationOutcome(problems),
  };
}

const MAX_HEADER_LENGTH = 256;
/**
 * A source-system id is recorded as meta.source, a URI: `<ODS code>:<system name>` such as `Y12345:EMIS-Web`
 * or `RXX:PAS` is one; spaces and the like are refused rather than silently changed.
 */
const SOURCE_SYSTEM = /^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9._~%!$&'()*+,;=:@/-]+$/;

/** Reads the envelope headers, or says which one is missing or unusable. */
export function readEnvelope(
  message: ConsumedMessage,
  messageIdFallback?: string,
): InboundEnvelope | Rejection {
  const sourceSystem = message.headers[Header.sourceSystem]?.trim();
  const messageId = message.headers[Header.messageId]?.trim() || messageIdFallback;
  const problems = [...sourceSystemProblems(sourceSystem), ...messageIdProblems(messageId)];
  if (problems.length > 0 || !sourceSystem || !messageId) return rejection('missing-header', problems);
  return { sourceSystem, messageId, receivedAt: new Date(Number(message.timestamp) || Date.now()) };
}

function sourceSystemProblems(sourceSystem: string | undefined): Problem[] {
  const name = Header.sourceSystem;
  if (!sourceSystem)
    return [{ code: 'required', diagnostics: `the '${name}' header is required: who sent this message` }];
  if (sourceSystem.length > MAX_HEADER_LENGTH) {
    return [
      {
        code: 'too-long',
        diagnostics: `the '${name}' header is longer than ${MAX_HEADER_LENGTH} characters`,
      },
    ];
  }
  if (!SOURCE_SYSTEM.test(sourceSystem)) {
    return [
      {
        code: 'value',
        diagnostics: `the '${name}' header '${sourceSystem}' is not of the form <ODS code>:<system name>, e.g. Y12345:EMIS-Web`,
      },
    ];
  }
  return [];
}

function messageIdProblems(messageId: string | undefined): Problem[] {
  const name = Header.messageId;
  if (!messageId)
    return [
      { code: 'required', diagnostics: `the '${name}' header is required: a unique id per source system` },
    ];
  if (messageId.length > MAX_HEADER_LENGTH) {
    return [
      {
        code: 'too-long',
        diagnostics: `the '${name}' header is longer than ${MAX_HEADER_LENGTH} characters`,
      },
    ];
  }
  return [];
}

export function isRejection(value: object): value is Rejection {
  return 'code' in value && 'outcome' in value && 'reason' in value;
}
