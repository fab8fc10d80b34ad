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

/** Which elements a walk visits: decided from the definition and type alone, so it is compiled per type. */
export type ElementFilter = (definition: InternalSchemaElement, type: string) => boolean;

type Visit = (element: VisitedElement) => void;

/** What the walk does with one JSON key of one type, worked out once per type. */
interface KeyPlan {
  definition: InternalSchemaElement;
  type: string;
  visit: boolean;
  /** 'resource': a contained resource or Bundle.entry.resource, walked along its own definition. */
  descend: false | 'type' | 'resource';
}

const PRIMITIVE = /^[a-z]/; // FHIR primitive type names start lower-case (string, code, dateTime ...)

/**
 * Walks resources along their StructureDefinitions, calling `visit` for each element value that has a definition
 * and passes the filter. Compiled per type on first use: every JSON key a type accepts (the names of its choice
 * elements included) maps straight to its definition, and subtrees whose types hold no element the filter wants
 * are not entered. Structural problems (unknown elements, wrong JSON types) are medplum's to report; the walker
 * just skips them.
 */
export class ElementWalker {
  private readonly plans = new WeakMap<InternalTypeSchema, Map<string, KeyPlan>>();
  private readonly reaches = new Map<string, boolean>();

  constructor(private readonly filter: ElementFilter = () => true) {}

  walk(resource: Record<string, unknown>, visit: Visit): void {
    const resourceType = resource.resourceType;
    if (typeof resourceType !== 'string' || !isResourceType(resourceType)) return;
    this.walkObject(resource, getDataType(resourceType), resourceType, visit);
  }

  private walkObject(
    object: Record<string, unknown>,
    schema: InternalTypeSchema,
    path: string,
    visit: Visit,
  ): void {
    const plans = this.plansOf(schema);
    for (const key in object) {
      const plan = plans.get(key);
      if (!plan || (!plan.visit && !plan.descend)) continue;
      const raw = object[key];
      if (Array.isArray(raw)) {
        for (let index = 0; index < raw.length; index++)
          this.element(raw[index], plan, `${path}.${key}[${index}]`, visit);
      } else this.element(raw, plan, `${path}.${key}`, visit);
    }
  }

  private element(value: unknown, plan: KeyPlan, path: string, visit: Visit): void {
    if (plan.visit) visit({ value, path, type: plan.type, definition: plan.definition });
    if (!plan.descend || value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const object = value as Record<string, unknown>;
    if (plan.descend === 'resource') {
      const resourceType = object.resourceType;
      if (typeof resourceType === 'string' && isResourceType(resourceType))
        this.walkObject(object, getDataType(resourceType), path, visit);
      return;
    }
    const schema = tryGetDataType(plan.type);
    if (schema) this.walkObject(object, schema, path, visit);
  }

  /** Every key of the type: element names, and `value<Type>` for each type of a `value[x]` choice. */
  private plansOf(schema: InternalTypeSchema): Map<string, KeyPlan> {
    let plans = this.plans.get(schema);
    if (plans) return plans;
    plans = new Map();
    for (const [name, definition] of Object.entries(schema.elements)) {
      if (name.endsWith('[x]')) {
        const base = name.slice(0, -3);
        for (const type of definition.type) {
          const key = base + capitalise(type.code);
          if (!plans.has(key)) plans.set(key, this.plan(definition, type.code));
        }
      } else plans.set(name, this.plan(definition, definition.type[0]?.code ?? 'Element'));
    }
    this.plans.set(schema, plans);
    return plans;
  }

  private plan(definition: InternalSchemaElement, type: string): KeyPlan {
    const descend = PRIMITIVE.test(type)
      ? false
      : type === 'Resource'
        ? 'resource'
        : this.typeReaches(type)
          ? 'type'
          : false;
    return { definition, type, visit: this.filter(definition, type), descend };
  }

  /** Whether a value of this type can hold an element the filter wants (any type reachable from it, cycles too). */
  private typeReaches(start: string): boolean {
    const known = this.reaches.get(start);
    if (known !== undefined) return known;
    const seen = new Set<string>([start]);
    const queue = [start];
    let found = false;
    while (queue.length && !found) {
      const schema = tryGetDataType(queue.shift() as string);
      if (!schema) continue;
      for (const definition of Object.values(schema.elements)) {
        for (const { code } of definition.type) {
          if (this.filter(definition, code) || code === 'Resource') found = true;
          if (!PRIMITIVE.test(code) && !seen.has(code)) {
            seen.add(code);
            queue.push(code);
          }
        }
      }
    }
    this.reaches.set(start, found);
    return found;
  }
}

/** Walks every element with a definition (no filter). */
export function walkResource(resource: Record<string, unknown>, visit: Visit): void {
  everyElement.walk(resource, visit);
}

const everyElement = new ElementWalker();

function tryGetDataType(type: string): InternalTypeSchema | undefined {
  try {
    return getDataType(type);
  } catch {
    return undefined;
  }
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
