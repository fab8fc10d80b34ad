import * as r4Model from 'fhirpath/fhir-context/r4';

// The nodes fhirpath.js builds while it walks a resource (its ResourceNode), rebuilt without its evaluation context
// so that compiled expressions (fhirpath.compiler.ts) see exactly the elements, paths and FHIR types fhirpath.js
// would. Each function names the fhirpath.js 5.2 code it follows; anything it cannot follow exactly it reports as
// `undefined` ("ask FHIRPath"), never as a guess.

/** The parts of fhirpath.js's R4 model the walk reads (the same object fhirpath.js is given). */
interface R4Model {
  choiceTypePaths: Record<string, string[] | undefined>;
  pathsDefinedElsewhere: Record<string, string | undefined>;
  path2Type: Record<string, string | undefined>;
  path2TypeWithoutElements: Record<string, string | undefined>;
  type2Parent: Record<string, string | undefined>;
  availableTypes: Set<string>;
}

export const model = r4Model as unknown as R4Model;

/** One element as fhirpath.js's ResourceNode holds it: its JSON value, its `_` sibling, model path and FHIR type. */
export interface PathNode {
  data: unknown;
  /** The primitive's `_element` sibling (id, extensions), or null. */
  _data: unknown;
  /** The model path (`Observation.component`, `Quantity`), reset to the resource type for resources. */
  path: string | null;
  /** `fhirNodeDataType`: the FHIR type from the model (`CodeableConcept`, `dateTime`), null when unknown. */
  type: string | null;
}

/** `new ResourceNode(...)`: a value that is a resource (contained, Bundle entry) takes its type as path and type. */
export function makeNode(data: unknown, _data: unknown, path: string | null, type: string | null): PathNode {
  const resourceType = isObject(data) ? data.resourceType : undefined;
  if (resourceType)
    return { data, _data: _data || null, path: String(resourceType), type: String(resourceType) };
  return { data, _data: _data || null, path: path || null, type: type || null };
}

/** The node fhirpath.js starts from for a whole resource. */
export function resourceNode(resource: unknown): PathNode {
  return makeNode(resource, null, null, null);
}

/**
 * The node fhirpath.js starts from when an expression is compiled with a `base` (composite components): the base
 * path normalised as `compile({ base, expression })` does it (recursive paths, types of non-backbone elements).
 */
export function baseNode(data: unknown, base: string): PathNode {
  const { path, type } = baseInfo(base);
  return makeNode(data, null, path, type);
}

const baseInfos = new Map<string, { path: string; type: string | null }>();

function baseInfo(base: string): { path: string; type: string | null } {
  let info = baseInfos.get(base);
  if (!info) {
    let path = base.replace(/\[\d*]/g, '');
    const elsewhere = Object.keys(model.pathsDefinedElsewhere);
    let changed: string | undefined;
    do {
      changed = elsewhere.find((prefix) => {
        const found = path.startsWith(prefix);
        if (found) path = `${model.pathsDefinedElsewhere[prefix]}${path.substring(prefix.length)}`;
        return found;
      });
    } while (changed);
    path = model.pathsDefinedElsewhere[path] || path;
    const type = model.availableTypes.has(path) ? path : model.path2Type[path];
    info = {
      path: type === 'BackboneElement' || type === 'Element' ? path : type || path,
      type: type ?? null,
    };
    baseInfos.set(base, info);
  }
  return info;
}

/** Where a child element lives in the model, resolved once per (parent path, name): `util.makeChildResNodes`. */
interface ChildInfo {
  /** For choice elements (`value[x]`): each JSON name (`valueQuantity`) with its path and type, in model order. */
  choices?: { field: string; _field: string; path: string; type: string | null }[];
  path: string;
  type: string | null;
}

function childInfo(parentPath: string, name: string): ChildInfo {
  let path = `${parentPath}.${name}`;
  path = model.pathsDefinedElsewhere[path] || path;
  const choiceTypes = model.choiceTypePaths[path];
  if (choiceTypes) {
    return {
      choices: choiceTypes.map((suffix) => {
        const full = `${path}${suffix}`;
        return {
          field: `${name}${suffix}`,
          _field: `_${name}${suffix}`,
          path: model.path2TypeWithoutElements[full] || full,
          type: model.path2Type[full] || null,
        };
      }),
      path,
      type: null,
    };
  }
  if (name === 'extension') path = 'Extension';
  return { path: model.path2TypeWithoutElements[path] || path, type: model.path2Type[path] || null };
}

/**
 * A compiled member step (`.code`): for each input node, its children named `name`, as `util.makeChildResNodes`
 * makes them (choice elements, `_element` siblings, arrays with nulls, values known only by their extensions).
 * Undefined when an input is one fhirpath.js would read in a way this does not follow (a primitive or an array
 * where an object belongs, a node without a path, an integer64).
 */
export function childStep(name: string): (input: PathNode[]) => PathNode[] | undefined {
  const infos = new Map<string, ChildInfo>();
  const _name = `_${name}`;
  let lastPath: string | undefined;
  let lastInfo: ChildInfo | undefined;
  return (input) => {
    const out: PathNode[] = [];
    for (const node of input) {
      if (node.path === null) return undefined;
      // A step nearly always sees one parent path (Observation.code: Observation): keep the last one at hand.
      let info = node.path === lastPath ? lastInfo : infos.get(node.path);
      if (!info) {
        info = childInfo(node.path, name);
        if (infos.size < 1000) infos.set(node.path, info);
      }
      lastPath = node.path;
      lastInfo = info;
      if (!pushChildren(node, info, name, _name, out)) return undefined;
    }
    return out;
  };
}

function pushChildren(
  node: PathNode,
  info: ChildInfo,
  name: string,
  _name: string,
  out: PathNode[],
): boolean {
  const data = node.data;
  if (data !== null && data !== undefined && !isObject(data)) return false;
  let toAdd: unknown;
  let _toAdd: unknown;
  let path = info.path;
  let type = info.type;
  if (info.choices) {
    if (!data) return true;
    let choice: (typeof info.choices)[number] | undefined;
    for (const c of info.choices)
      if (data[c.field] !== undefined || data[c._field] !== undefined) {
        choice = c;
        break;
      }
    if (!choice) return true;
    toAdd = data[choice.field];
    _toAdd = data[choice._field];
    path = choice.path;
    type = choice.type;
  } else {
    toAdd = data?.[name];
    _toAdd = data?.[_name];
    if (toAdd === undefined && _toAdd === undefined && node._data !== null) {
      if (!isObject(node._data)) return false;
      toAdd = node._data[name];
    }
  }
  if (type === 'integer64') return false;
  if (toAdd == null && _toAdd == null) return true;
  if (Array.isArray(toAdd)) {
    if (_toAdd != null && !Array.isArray(_toAdd)) return false;
    const extras = (_toAdd as unknown[] | null | undefined) ?? [];
    for (let i = 0; i < toAdd.length; i++) out.push(makeNode(toAdd[i], extras[i], path, type));
    for (let i = toAdd.length; i < extras.length; i++) out.push(makeNode(null, extras[i], path, type));
  } else if (toAdd == null && Array.isArray(_toAdd)) {
    for (const extra of _toAdd) out.push(makeNode(null, extra, path, type));
  } else {
    out.push(makeNode(toAdd, _toAdd, path, type));
  }
  return true;
}

/** A JSON object (not an array): the only kind of value fhirpath.js reads child elements from. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `TypeInfo.isType`: the type or one of its ancestors (`Age` → `Quantity` → `Element`) is `superType`. */
export function isType(type: string, superType: string): boolean {
  for (let t: string | undefined = type; t; t = model.type2Parent[t]) if (t === superType) return true;
  return false;
}

/** FHIR primitives that convert to a System type (`types.js`, fhir2SystemAutomaticConversion). */
const SYSTEM_CONVERSION: Record<string, string | undefined> = {
  boolean: 'Boolean',
  string: 'String',
  uri: 'String',
  code: 'String',
  oid: 'String',
  id: 'String',
  uuid: 'String',
  markdown: 'String',
  base64Binary: 'String',
  integer: 'Integer',
  unsignedInt: 'Integer',
  positiveInt: 'Integer',
  integer64: 'Long',
  decimal: 'Decimal',
  date: 'DateTime',
  dateTime: 'DateTime',
  instant: 'DateTime',
  time: 'Time',
  Quantity: 'Quantity',
};

/**
 * `ofType(T)` for a node of FHIR type `type` (`TypeInfo.isConvertibleTo`): System types by name, FHIR types by
 * automatic conversion or ancestry. Undefined for a node without a model type (fhirpath.js would infer one from the
 * value).
 */
export function isOfType(type: string | null, target: string): boolean | undefined {
  if (type === null) return undefined;
  const system = /^System\.(.*)$/.exec(type);
  if (system) return system[1] === target;
  return SYSTEM_CONVERSION[type] === target || isType(type, target);
}

/** `getTypeInfo().is(T)` for a node (the root test of `Observation.code`): no automatic conversion. */
export function isTypeOf(type: string | null, target: string): boolean | undefined {
  if (type === null) return undefined;
  const system = /^System\.(.*)$/.exec(type);
  return system ? system[1] === target : isType(type, target);
}
