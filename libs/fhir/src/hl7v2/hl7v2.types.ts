import type { FhirResource } from 'fhir/r4';
import type { Problem } from '../operation-outcome';
import type { PatientMerge } from './mrg.mapper';
import type { PatientLinkEvent } from './patient-link.mapper';

export type { Hl7MappingInput } from './mapping-context';
export type { PatientMerge } from './mrg.mapper';
export type { PatientLinkEvent } from './patient-link.mapper';

/** Why a message could not be mapped; the consumer dead-letters it with this code and the problems. */
export type Hl7FailureCode =
  /** Not an HL7 v2 message, or one damaged in transit or copying (e.g. segments wrapped across lines). */
  | 'hl7-unparseable'
  /** A well-formed message of an event Continuum does not take. */
  | 'hl7-unsupported-event'
  /** A supported message whose content the platform refuses (invalid NHS number, impossible date, missing key field). */
  | 'hl7-invalid';

export interface Hl7MappingSuccess {
  ok: true;
  /** MSH-10 message control id. */
  messageId: string;
  /** MSH-9 type and trigger, e.g. 'ADT^A01'. */
  event: string;
  /** MSH-12 version, e.g. '2.4'. */
  version: string;
  /** Every resource made (narrow by resourceType), referenced ones first, each with its deterministic id. */
  resources: FhirResource[];
  /** The patient the message is about (the surviving one for a merge). */
  patientId: string;
  /**
   * True when the message's PID only identifies the patient (results, ORU): the Patient it maps is a placeholder
   * to store if the PAS never sent that person, and must not overwrite the demographics its ADT feed keeps (an
   * ORU carries no NK1 or PD1, so storing it would strip contacts and GP, then the next ADT would restore them).
   */
  patientIfAbsent: boolean;
  /**
   * Patient elements whose segments the message did not carry (no NK1: `contact`; no PD1: `generalPractitioner`).
   * An absent optional segment means "not sent", not "removed", so the stored values are kept.
   */
  patientRetains: string[];
  /** A40 only: the patient merged into the surviving one. */
  merge?: PatientMerge;
  /** A24/A37 only: the two records the source (un)links as one person. */
  patientLink?: PatientLinkEvent;
  /** What was left out and why (unknown codes, skipped segments); never patient data. */
  warnings: Problem[];
}

export interface Hl7MappingFailure {
  ok: false;
  code: Hl7FailureCode;
  problems: Problem[];
  /** Known when MSH could be read. */
  messageId?: string;
  event?: string;
}

export type Hl7MappingResult = Hl7MappingSuccess | Hl7MappingFailure;
