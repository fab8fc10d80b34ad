import { resourceTypes } from '@continuum/fhir';
import type { FhirRouteEntry } from './fhir-route.table';

/** The small slice of OpenAPI 3.0 we produce. */
interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  description?: string;
  schema: Record<string, unknown>;
}
type OpenApiOperation = Record<string, unknown> & { parameters: OpenApiParameter[] };
export interface OpenApiDocument {
  openapi: '3.0.3';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: Record<string, unknown>;
}

const FHIR_JSON = 'application/fhir+json';
const query = (name: string, description: string): OpenApiParameter => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string' },
});
const header = (name: string, description: string): OpenApiParameter => ({
  name,
  in: 'header',
  description,
  schema: { type: 'string' },
});

const SEARCH_PARAMS = [
  query('_count', 'Page size'),
  query('_sort', 'Sort keys, comma separated, `-` for descending'),
  query('_total', 'none | estimate | accurate'),
  query('_include', 'Source:param[:Target] to include'),
  query('_revinclude', 'Source:param to include resources pointing here'),
  query('_summary', 'true | text | data | count | false'),
  query('_elements', 'Elements to return'),
  query('_page', 'Paging token from a Bundle link (opaque)'),
];

/** Extra parameters by the interaction a route implements (the headers FHIR defines for it). */
function parametersFor(route: FhirRouteEntry): OpenApiParameter[] {
  const spec = route.spec;
  if (spec.level === 'operation')
    return spec.parameters.map((name) => query(name, `$${spec.name} parameter`));
  if (spec.level === 'system')
    return spec.interactions.includes('history-system')
      ? [query('_since', 'Only versions since this instant'), query('_count', 'Page size')]
      : spec.interactions.includes('search-system')
        ? [query('_type', 'Resource types searched'), ...SEARCH_PARAMS]
        : [];
  if (spec.level === 'meta') return [];
  const prefer = header('Prefer', 'return=minimal | representation | OperationOutcome');
  switch (spec.interaction) {
    case 'read':
    case 'vread':
      return [
        header('If-None-Match', 'ETag the client has: 304 when current'),
        header('If-Modified-Since', '304 when not changed since'),
      ];
    case 'create':
      return [header('If-None-Exist', 'Search criteria: create only when nothing matches'), prefer];
    case 'update':
    case 'patch':
    case 'delete':
      return [header('If-Match', 'W/"<versionId>": 412 when another version is current'), prefer];
    case 'search-type':
      return [...SEARCH_PARAMS, query('<search parameter>', 'Any parameter of the type listed in /metadata')];
    default:
      return [query('_since', 'Only versions since this instant'), query('_count', 'Page size')];
  }
}

/**
 * An OpenAPI 3 description of the FHIR routes, for developers who do not speak FHIR yet; made from the same route
 * table as the CapabilityStatement (which stays the authority on search parameters).
 */
export function buildOpenApi(routes: FhirRouteEntry[], baseUrl: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const pathParams = [...route.path.matchAll(/:(\w+)/g)].map(([, name]): OpenApiParameter => ({
      name,
      in: 'path',
      required: true,
      schema: name === 'type' ? { type: 'string', enum: [...resourceTypes()] } : { type: 'string' },
    }));
    const method = route.method.toLowerCase();
    const hasBody = method === 'post' || method === 'put' || method === 'patch';
    (paths[path] ??= {})[method] = {
      summary: route.spec.summary,
      operationId: `${method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      parameters: [...pathParams, ...parametersFor(route)],
      ...(hasBody && route.spec.level !== 'operation'
        ? {
            requestBody: {
              content: {
                [method === 'patch' ? 'application/json-patch+json' : FHIR_JSON]: {
                  schema: { $ref: '#/components/schemas/Resource' },
                },
              },
            },
          }
        : {}),
      responses: {
        '200': {
          description: 'FHIR resource or Bundle',
          content: { [FHIR_JSON]: { schema: { $ref: '#/components/schemas/Resource' } } },
        },
        default: {
          description: 'Error',
          content: { [FHIR_JSON]: { schema: { $ref: '#/components/schemas/OperationOutcome' } } },
        },
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Continuum FHIR R4 API',
      version: '4.0.1',
      description: `FHIR R4 REST API. The CapabilityStatement at ${baseUrl}/metadata lists every resource type, search parameter and operation.`,
    },
    servers: [{ url: baseUrl }],
    paths,
    components: {
      schemas: {
        Resource: {
          type: 'object',
          required: ['resourceType'],
          properties: { resourceType: { type: 'string' }, id: { type: 'string' } },
          additionalProperties: true,
        },
        OperationOutcome: {
          type: 'object',
          properties: {
            resourceType: { type: 'string', enum: ['OperationOutcome'] },
            issue: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  severity: { type: 'string' },
                  code: { type: 'string' },
                  diagnostics: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  };
}
