import type { Coding, Resource } from 'fhir/r4';
import { loadResourceProfiles } from './definitions.loader';
import type { SummaryMode } from './search-request.types';

interface TopLevelElements {
  summary: string[];
  mandatory: string[];
}

let elementsByType: Map<string, TopLevelElements> | undefined;

/** Top-level element names of each resource type flagged isSummary, or mandatory (min > 0), in the R4 profiles. */
function topLevelElements(resourceType: string): TopLevelElements {
  elementsByType ??= new Map(
    loadResourceProfiles()
      .filter((profile) => profile.kind === 'resource' && profile.snapshot)
      .map((profile) => {
        const elements = (profile.snapshot?.element ?? []).filter(
          (element) => element.path.split('.').length === 2,
        );
        const name = (path: string) => path.split('.')[1];
        return [
          profile.type,
          {
            summary: elements.filter((element) => element.isSummary).map((element) => name(element.path)),
            mandatory: elements
              .filter((element) => (element.min ?? 0) > 0)
              .map((element) => name(element.path)),
          },
        ];
      }),
  );
  return elementsByType.get(resourceType) ?? { summary: [], mandatory: [] };
}

/** The tag R4 asks for on a resource returned with only some of its elements. */
export const SUBSETTED_TAG: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'SUBSETTED',
  display: 'subsetted',
};

/** Does a JSON key belong to an element name (`value[x]` covers `valueQuantity`; `_birthDate` its primitive extension)? */
function matches(key: string, names: string[]): boolean {
  const bare = key.startsWith('_') ? key.slice(1) : key;
  return names.some((name) =>
    name.endsWith('[x]')
      ? bare.startsWith(name.slice(0, -3)) && /^[A-Z]/.test(bare.slice(name.length - 3))
      : bare === name,
  );
}

function keep(resource: Resource, names: string[]): Resource {
  const always = ['resourceType', 'id', 'meta'];
  const subset = Object.fromEntries(
    Object.entries(resource).filter(([key]) => always.includes(key) || matches(key, names)),
  ) as Resource;
  return tagSubsetted(subset);
}

function tagSubsetted(resource: Resource): Resource {
  const tags = (resource.meta?.tag ?? []).filter((tag) => tag.code !== SUBSETTED_TAG.code);
  return { ...resource, meta: { ...resource.meta, tag: [...tags, SUBSETTED_TAG] } };
}

/**
 * `_summary`: `true` keeps the elements the R4 definitions flag isSummary, `text` the narrative and mandatory
 * elements, `data` drops the narrative, `false` (and `count`, which returns no resources) change nothing.
 * Only top-level elements are filtered: a kept element keeps its whole content.
 */
export function applySummary(resource: Resource, mode: SummaryMode | undefined): Resource {
  switch (mode) {
    case 'true':
      return keep(resource, topLevelElements(resource.resourceType).summary);
    case 'text':
      return keep(resource, ['text', ...topLevelElements(resource.resourceType).mandatory]);
    case 'data': {
      if (!('text' in resource)) return resource;
      const { text: _text, ...rest } = resource as Resource & { text?: unknown };
      return tagSubsetted(rest as Resource);
    }
    default:
      return resource;
  }
}

/** `_elements=a,b`: only those top-level elements (and resourceType, id, meta). */
export function applyElements(resource: Resource, elements: string[] | undefined): Resource {
  if (!elements?.length) return resource;
  const names = elements.map((element) => element.split('.').pop() ?? element);
  return keep(resource, [...names, ...names.map((name) => `${name}[x]`)]);
}
