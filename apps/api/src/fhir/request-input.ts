import { badRequest, printableText, unsafeCharacterIn } from '@continuum/fhir';

/** What a request may carry (ApiLimitsConfig). */
export interface InputLimits {
  maxJsonDepth: number;
  maxParameterLength: number;
  maxParameters: number;
}

/**
 * Object keys that reach a prototype when assigned, merged or looked up in a plain object (`__proto__`, and
 * `constructor` / `prototype`, as in `constructor.prototype`): never a FHIR element name, so refused outright.
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_NAME_LENGTH = 256;

/**
 * The checks every FHIR request's input passes at the edge, before anything parses it further, so hostile input
 * is a 400 naming the problem instead of a stack overflow, a polluted prototype or a database error (500). Pure:
 * each throws a FhirError (400) or returns.
 */

/** Path segments: valid percent-encoding, no control characters. */
export function checkPath(path: string): void {
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw badRequest(`Malformed percent-encoding in the path segment '${printableText(segment, 64)}'`);
    }
    const unsafe = unsafeCharacterIn(decoded, { lineBreaks: false });
    if (unsafe) throw badRequest(`The path holds a ${unsafe}, which is not allowed`);
  }
}

/** Search or criteria parameters (decoded): how many, how long, no control characters, no prototype keys. */
export function checkParams(
  params: [string, string][],
  limits: InputLimits,
  what = 'search parameter',
): void {
  if (params.length > limits.maxParameters)
    throw badRequest(`More than ${limits.maxParameters} ${what}s in one request`);
  for (const [name, value] of params) {
    const shown = printableText(name, 64);
    const unsafeName = unsafeCharacterIn(name, { lineBreaks: false });
    if (unsafeName) throw badRequest(`A ${what} name holds a ${unsafeName}, which is not allowed`);
    if (name.length > MAX_NAME_LENGTH)
      throw badRequest(`A ${what} name is longer than ${MAX_NAME_LENGTH} characters`);
    if (PROTOTYPE_KEYS.has(name))
      throw badRequest(`'${name}' is not a ${what} (it could pollute object prototypes)`);
    if (value.length > limits.maxParameterLength)
      throw badRequest(`The ${what} '${shown}' is longer than ${limits.maxParameterLength} characters`, [
        shown,
      ]);
    const unsafe = unsafeCharacterIn(value, { lineBreaks: false });
    if (unsafe) throw badRequest(`The ${what} '${shown}' holds a ${unsafe}, which is not allowed`, [shown]);
  }
}

/** A query string (`a=1&b=2`, or a URL's part after `?`) as decoded pairs, checked. */
export function checkQuery(query: string, limits: InputLimits, what?: string): [string, string][] {
  const params = [...new URLSearchParams(query)];
  checkParams(params, limits, what);
  return params;
}

/**
 * A JSON body's nesting, measured on the text before it is parsed: JSON nested thousands deep would otherwise blow
 * the stack of every recursive walk after it (validation, FHIRPath, canonical JSON).
 */
export function checkJsonText(text: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) throw badRequest(`JSON body nested deeper than ${maxDepth} levels`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/**
 * A parsed JSON body: no prototype keys at any depth, and no control characters (but tab, CR and LF) or lone
 * surrogates in any key or string (FHIR strings cannot hold them, nor can Postgres's jsonb). Iterative: the depth is
 * bounded by checkJsonText already, but a walk that cannot overflow needs no such argument.
 */
export function checkJsonValue(value: unknown): void {
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  while (stack.length) {
    const { value: item, path } = stack.pop() as { value: unknown; path: string };
    if (typeof item === 'string') {
      const unsafe = unsafeCharacterIn(item);
      if (unsafe)
        throw badRequest(`A string in the request body holds a ${unsafe}, which is not allowed`, at(path));
    } else if (Array.isArray(item)) {
      item.forEach((member, index) => stack.push({ value: member, path: `${path}[${index}]` }));
    } else if (item !== null && typeof item === 'object') {
      for (const [key, member] of Object.entries(item)) {
        const where = path ? `${path}.${printableText(key, 64)}` : printableText(key, 64);
        if (PROTOTYPE_KEYS.has(key))
          throw badRequest(
            `Key '${key}' is not allowed in a request body (it could pollute object prototypes)`,
            [where],
          );
        const unsafe = unsafeCharacterIn(key);
        if (unsafe)
          throw badRequest(`A key in the request body holds a ${unsafe}, which is not allowed`, at(path));
        stack.push({ value: member, path: where });
      }
    }
  }
}

/** JSON Patch operations: no pointer into a prototype (`/__proto__/x`, `/constructor/prototype`). */
export function checkJsonPatch(operations: unknown): void {
  if (!Array.isArray(operations)) return;
  operations.forEach((operation: unknown, index) => {
    const pointers = [(operation as { path?: unknown })?.path, (operation as { from?: unknown })?.from];
    for (const pointer of pointers) {
      if (typeof pointer !== 'string') continue;
      const segment = pointer
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .find((part) => PROTOTYPE_KEYS.has(part));
      if (segment)
        throw badRequest(
          `JSON Patch operation ${index} points into '${segment}' (it could pollute object prototypes)`,
          [`[${index}]`],
        );
    }
  });
}

/** A transaction's or batch's entry URLs and conditions: checked as the requests they stand for. */
export function checkBundleRequests(body: unknown, limits: InputLimits): void {
  const bundle = body as { resourceType?: unknown; entry?: unknown };
  if (bundle?.resourceType !== 'Bundle' || !Array.isArray(bundle.entry)) return;
  bundle.entry.forEach((entry: unknown) => {
    const request = (entry as { request?: Record<string, unknown> })?.request;
    if (!request || typeof request !== 'object') return;
    if (typeof request.url === 'string') {
      const question = request.url.indexOf('?');
      checkPath(question < 0 ? request.url : request.url.slice(0, question));
      checkQuery(question < 0 ? '' : request.url.slice(question + 1), limits, 'bundle entry parameter');
    }
    if (typeof request.ifNoneExist === 'string')
      checkQuery(request.ifNoneExist.replace(/^[^?]*\?/, ''), limits, 'If-None-Exist criterion');
  });
}

function at(path: string): string[] | undefined {
  return path ? [path] : undefined;
}
