import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { FHIR_ROUTE, type FhirRouteSpec } from './fhir-interaction.decorator';

export interface FhirRouteEntry {
  method: string;
  /** Relative to the FHIR base, Express style (`/:type/:id`). */
  path: string;
  spec: FhirRouteSpec;
}

/** The routes the controllers actually declare, read from their Nest metadata. */
export function fhirRouteTable(controllers: readonly Type[]): FhirRouteEntry[] {
  return controllers.flatMap((controller) => {
    const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const prototype = controller.prototype as Record<string, unknown>;
    return Object.getOwnPropertyNames(prototype).flatMap((name) => {
      const handler = prototype[name];
      if (typeof handler !== 'function') return [];
      const spec = Reflect.getMetadata(FHIR_ROUTE, handler) as FhirRouteSpec | undefined;
      if (!spec) return [];
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const path = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
      return [{ method, path: joinPath(prefix, path), spec }];
    });
  });
}

function joinPath(...parts: string[]): string {
  const joined = parts
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .join('/');
  return `/${joined}`;
}

/** Injection token of the route table (built from the module's controllers). */
export const FHIR_ROUTES = Symbol('FHIR_ROUTES');
