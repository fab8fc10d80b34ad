import { resourceTypes, searchParametersOf, type SearchParamDef } from '@continuum/fhir';
import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceOperation,
  CapabilityStatementRestResourceSearchParam,
  CapabilityStatementRestSecurity,
} from 'fhir/r4';
import type { SystemInteraction, TypeInteraction } from './fhir-interaction.decorator';
import type { FhirRouteEntry } from './fhir-route.table';

/** Changes only with what the server implements: the snapshot test keeps the two together. */
export const CAPABILITY_DATE = '2026-12-06';

const TYPE_ORDER: TypeInteraction[] = [
  'read',
  'vread',
  'update',
  'patch',
  'delete',
  'history-instance',
  'history-type',
  'create',
  'search-type',
];
const SYSTEM_ORDER: SystemInteraction[] = ['transaction', 'batch', 'search-system', 'history-system'];

/**
 * The CapabilityStatement, generated from the routes the controllers declare and the search parameter registry
 * the searcher uses, so it says what the server does and nothing else.
 */
export function buildCapabilityStatement(routes: FhirRouteEntry[], baseUrl: string): CapabilityStatement {
  const specs = routes.map((route) => route.spec);
  const typeInteractions = new Set<TypeInteraction>();
  const conditional = new Set<TypeInteraction>();
  const systemInteractions = new Set<SystemInteraction>();
  // keyed by resource type; '' for system-level operations (listed at rest level)
  const operations = new Map<string, CapabilityStatementRestResourceOperation[]>();
  for (const spec of specs) {
    if (spec.level === 'type' || spec.level === 'instance') {
      typeInteractions.add(spec.interaction);
      if (spec.conditional) conditional.add(spec.interaction);
    } else if (spec.level === 'system') spec.interactions.forEach((code) => systemInteractions.add(code));
    else if (spec.level === 'operation') {
      const list = operations.get(spec.resourceType ?? '') ?? [];
      if (!list.some((op) => op.name === spec.name))
        list.push({ name: spec.name, definition: spec.definition, documentation: spec.summary });
      operations.set(spec.resourceType ?? '', list);
    }
  }
  const resource = (type: string): CapabilityStatementRestResource => {
    const params = [...searchParametersOf(type).values()].filter(isSearchable);
    const typeOperations = operations.get(type);
    return {
      type,
      interaction: TYPE_ORDER.filter((code) => typeInteractions.has(code)).map((code) => ({ code })),
      versioning: 'versioned-update',
      readHistory: typeInteractions.has('vread'),
      updateCreate: typeInteractions.has('update'),
      conditionalCreate: conditional.has('create'),
      conditionalRead: 'full-support',
      conditionalUpdate: conditional.has('update'),
      conditionalDelete: conditional.has('delete') ? 'single' : 'not-supported',
      searchInclude: ['*'],
      searchRevInclude: ['*'],
      searchParam: [
        ...params.filter((def) => !isCommon(def)).map(searchParam),
        ...(type === 'Patient' ? [PDQM_NAMED_QUERY] : []),
      ],
      ...(typeOperations ? { operation: typeOperations } : {}),
    };
  };
  const r4Types = new Set(resourceTypes());
  const otherOperations = [...operations.entries()]
    .filter(([type]) => !r4Types.has(type))
    .flatMap(([type, list]) =>
      list.map((op) => (type ? { ...op, documentation: `${type}: ${op.documentation}` } : op)),
    );
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: CAPABILITY_DATE,
    publisher: 'Continuum',
    kind: 'instance',
    software: { name: 'Continuum' },
    implementation: { description: 'Continuum shared care record FHIR API', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        documentation: `OpenAPI description: ${baseUrl}/openapi.json`,
        security: smartSecurity(baseUrl),
        resource: resourceTypes().map(resource),
        interaction: SYSTEM_ORDER.filter((code) => systemInteractions.has(code)).map((code) => ({ code })),
        // system-level operations ($export), and those on types R4 does not define (ViewDefinition/$run), at rest level
        ...(otherOperations.length ? { operation: otherOperations } : {}),
        // The common parameters (`_id`, `_lastUpdated`, ...) apply to every type: listed once here.
        searchParam: [...searchParametersOf('Patient').values()]
          .filter((def) => isSearchable(def) && isCommon(def))
          .map(searchParam),
      },
    ],
  };
}

/** `Patient?_query=pdqm`: patient finding (IHE PDQm, ITI-78) served by Elasticsearch (docs/fhir-api.md). */
const PDQM_NAMED_QUERY: CapabilityStatementRestResourceSearchParam = {
  name: '_query',
  type: 'string',
  documentation:
    'pdqm: IHE PDQm patient finding with fuzzy and phonetic names (family, given, birthdate, address-postalcode, gender, identifier, _count); results grouped by person',
};

/** The parser's rule: parameters with an expression (and `_id`, `_lastUpdated`), never `special` ones. */
function isSearchable(def: SearchParamDef): boolean {
  return (
    def.type !== 'special' && (def.expression !== undefined || ['_id', '_lastUpdated'].includes(def.code))
  );
}

const isCommon = (def: SearchParamDef) => def.code.startsWith('_');

function searchParam(def: SearchParamDef): CapabilityStatementRestResourceSearchParam {
  return { name: def.code, definition: def.url, type: def.type };
}

/** SMART on FHIR (EHR launch): the authorization server's endpoints, also in `.well-known/smart-configuration`. */
function smartSecurity(baseUrl: string): CapabilityStatementRestSecurity {
  const origin = new URL(baseUrl).origin;
  return {
    cors: false,
    service: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' },
        ],
      },
    ],
    extension: [
      {
        url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
        extension: [
          { url: 'authorize', valueUri: `${origin}/auth/authorize` },
          { url: 'token', valueUri: `${origin}/auth/token` },
        ],
      },
    ],
    description:
      'Bearer JWTs (ES256/RS256) from the configured issuer; SMART App Launch 2.x EHR launch with PKCE S256 (.well-known/smart-configuration)',
  };
}
