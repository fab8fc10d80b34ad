import { SetMetadata } from '@nestjs/common';

/** The FHIR interaction codes of CapabilityStatement.rest (resource and system level). */
export type TypeInteraction =
  | 'read'
  | 'vread'
  | 'update'
  | 'patch'
  | 'delete'
  | 'history-instance'
  | 'history-type'
  | 'create'
  | 'search-type';
export type SystemInteraction = 'transaction' | 'batch' | 'search-system' | 'history-system';

/** What a route implements: the CapabilityStatement and the OpenAPI document are generated from these. */
export type FhirRouteSpec =
  | { level: 'type' | 'instance'; interaction: TypeInteraction; conditional?: boolean; summary: string }
  | { level: 'system'; interactions: SystemInteraction[]; summary: string }
  | {
      level: 'operation';
      name: string;
      /** The type the operation is invoked on; undefined for a system-level operation (at the base). */
      resourceType: string | undefined;
      definition: string;
      parameters: string[];
      summary: string;
    }
  /** A route that is not a FHIR interaction (metadata, openapi.json): listed in OpenAPI only. */
  | { level: 'meta'; summary: string };

export const FHIR_ROUTE = 'continuum:fhir-route';

/** Declares what a handler implements, next to its HTTP method and path, so the two cannot drift apart. */
export const FhirRoute = (spec: FhirRouteSpec) => SetMetadata(FHIR_ROUTE, spec);
