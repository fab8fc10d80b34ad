import {
  getDataType,
  isResourceType,
  type InternalSchemaElement,
  type InternalTypeSchema,
} from '@medplum/core';

/** One element of a resource with its definition: what the extra (non-medplum) checks look at. */
export interface VisitedElement {
  value: unknown;
  /** FHIRPath location, e.g. `Patient.contact[0].gender`. */
  path: string;
  /** The concrete FHIR type of the value (the choice type resolved for `value[x]`). */
  type: string;
  definition: InternalSchemaElement;
}

const PRIMITIVE = /^[a-z]/; // FHIR primitive type names start lower-case (string, code, dateTime ...)

/**
 * Walks a resource along its StructureDefinition, calling `visit` for each element value that has a definition.
 * Structural problems (unknown elements, wrong JSON types) are medplum's to report; the walker just skips them.
 */
export function walkResource(
  resource: Record<string, unknown>,
  visit: (element: VisitedElement) => void,
): void {
  const resourceType = resource.resourceType;
  if (typeof resourceType !== 'string' || !isResourceType(resourceType)) return;
  walkObject(resource, getDataType(resourceType), resourceType, visit);
}

function walkObject(
  object: Record<string, unknown>,
  schema: InternalTypeSchema,
  path: string,
  visit: (element: VisitedElement) => void,
): void {
  for (const [key, raw] of Object.entries(object)) {
    if (key === 'resourceType' || key.startsWith('_')) continue;
    const match = findElement(schema, key);
    if (!match) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    values.forEach((value, index) => {
      const elementPath = Array.isArray(raw) ? `${path}.${key}[${index}]` : `${path}.${key}`;
      visit({ value, path: elementPath, type: match.type, definition: match.definition });
      descend(value, match.type, elementPath, visit);
    });
  }
}

function descend(value: unknown, type: string, path: string, visit: (element: VisitedElement) => void): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || PRIMITIVE.test(type)) return;
  const object = value as Record<string, unknown>;
  if (type === 'Resource') {
    // contained resources and Bundle.entry.resource: walk them along their own definition
    const resourceType = object.resourceType;
    if (typeof resourceType === 'string' && isResourceType(resourceType)) {
      walkObject(object, getDataType(resourceType), path, visit);
    }
    return;
  }
  const schema = tryGetDataType(type);
  if (schema) walkObject(object, schema, path, visit);
}

function findElement(
  schema: InternalTypeSchema,
  key: string,
): { definition: InternalSchemaElement; type: string } | undefined {
  const direct = schema.elements[key];
  if (direct) return { definition: direct, type: direct.type[0]?.code ?? 'Element' };
  for (const [name, definition] of Object.entries(schema.elements)) {
    if (!name.endsWith('[x]')) continue;
    const base = name.slice(0, -3);
    if (!key.startsWith(base)) continue;
    const suffix = key.slice(base.length);
    const type = definition.type.find((candidate) => capitalise(candidate.code) === suffix);
    if (type) return { definition, type: type.code };
  }
  return undefined;
}

function tryGetDataType(type: string): InternalTypeSchema | undefined {
  try {
    return getDataType(type);
  } catch {
    return undefined;
  }
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
