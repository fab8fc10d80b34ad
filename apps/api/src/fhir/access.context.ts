import { createParamDecorator } from '@nestjs/common';

/**
 * What the caller may see. The seam for SMART scopes: today every request is unrestricted; the security issue fills
 * `patientIds` from the token, and FhirService already applies it to every read, search and write.
 */
export interface AccessContext {
  /** When set, only resources in these patients' compartments are visible. */
  patientIds?: string[];
}

export const UNRESTRICTED: AccessContext = {};

/** The request's access context (controllers pass it, unread, to the service). */
export const Access = createParamDecorator((): AccessContext => UNRESTRICTED);
