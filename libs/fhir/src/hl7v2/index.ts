// HL7 v2 to FHIR R4: pure mapping of NHS ADT and ORU^R01 messages.
export { mapHl7v2Message, SUPPORTED_HL7_EVENTS } from './hl7v2-message.mapper';
export type {
  Hl7FailureCode,
  Hl7MappingFailure,
  Hl7MappingInput,
  Hl7MappingResult,
  Hl7MappingSuccess,
  PatientMerge,
  PatientLinkEvent,
} from './hl7v2.types';
export { readHl7ControlId } from './hl7-message';
export type { Hl7ControlId } from './hl7-message';
export { parseHl7Timestamp, DEFAULT_HL7_TIME_ZONE } from './hl7-datetime';
export type { Hl7Timestamp } from './hl7-datetime';
