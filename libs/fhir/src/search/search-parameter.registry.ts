import type { SearchParameter } from 'fhir/r4';
import { loadPatientCompartmentDefinition, loadSearchParameters } from './definitions.loader';
import { expressionForType, rewriteAs, rootElements } from './fhirpath-expression';
import type { CompositeComponentDef, SearchParamDef, SearchParamType } from './search-parameter.types';

// The R4 SearchParameter registry, built from the official definitions (STYLE.md habit 13: specs as data).

interface Registry {
  resourceTypes: string[];
  byType: Map<string, Map<string, SearchParamDef>>;
}

let registry: Registry | undefined;

function build(): Registry {
  const definitions = loadSearchParameters();
  const byUrl = new Map(definitions.map((definition) => [definition.url, definition]));
  // Every R4 resource type appears in the Patient CompartmentDefinition (in it or explicitly never in it).
  const resourceTypes = (loadPatientCompartmentDefinition().resource ?? []).map((entry) => entry.code).sort();
  const byType = new Map<string, Map<string, SearchParamDef>>(resourceTypes.map((type) => [type, new Map()]));
  for (const definition of definitions) {
    const bases: readonly string[] = definition.base;
    const types = bases.some((base) => base === 'Resource' || base === 'DomainResource')
      ? resourceTypes
      : bases;
    for (const resourceType of types) {
      const params = byType.get(resourceType);
      if (!params || params.has(definition.code)) continue;
      params.set(definition.code, toDef(definition, resourceType, byUrl));
    }
  }
  return { resourceTypes, byType };
}

function toDef(
  definition: SearchParameter,
  resourceType: string,
  byUrl: Map<string, SearchParameter>,
): SearchParamDef {
  const components: CompositeComponentDef[] = (definition.component ?? []).flatMap((component) => {
    const target = byUrl.get(component.definition);
    return target
      ? [
          {
            code: target.code,
            type: target.type as SearchParamType,
            expression: rewriteAs(component.expression),
          },
        ]
      : [];
  });
  const expression = definition.expression
    ? expressionForType(definition.expression, resourceType)
    : undefined;
  return {
    resourceType,
    code: definition.code,
    type: definition.type as SearchParamType,
    url: definition.url,
    expression,
    targets: [...(definition.target ?? [])],
    components,
    rootElements: expression
      ? rootElements(compositeRoot(expression, resourceType, components), resourceType)
      : undefined,
  };
}

/** A composite rooted at the resource itself (`Observation`) needs its value component's element to have any row. */
function compositeRoot(
  expression: string,
  resourceType: string,
  components: CompositeComponentDef[],
): string {
  return expression === resourceType && components.length === 2
    ? `${resourceType}.${components[1].expression}`
    : expression;
}

function get(): Registry {
  return (registry ??= build());
}

/** All R4 resource types, sorted. */
export function resourceTypes(): readonly string[] {
  return get().resourceTypes;
}

export function isResourceType(type: string): boolean {
  return get().byType.has(type);
}

/** The search parameters of a resource type, including the common ones (`_id`, `_lastUpdated`, `_tag`, ...). */
export function searchParametersOf(resourceType: string): ReadonlyMap<string, SearchParamDef> {
  return get().byType.get(resourceType) ?? new Map();
}

export function searchParameter(resourceType: string, code: string): SearchParamDef | undefined {
  return get().byType.get(resourceType)?.get(code);
}
