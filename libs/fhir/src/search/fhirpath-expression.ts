// Rewrites official SearchParameter expressions so that they can be compiled once per resource type and evaluated
// synchronously by fhirpath.js.

/** Splits an expression on its top-level `|` unions (not inside parentheses or string literals). */
export function splitUnion(expression: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "'" && expression[i - 1] !== '\\') quoted = !quoted;
    else if (quoted) continue;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      terms.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  terms.push(expression.slice(start).trim());
  return terms.filter((term) => term.length > 0);
}

/** The resource type a union term starts from: `(Observation.value as Quantity)` → `Observation`. */
function rootOf(term: string): string {
  return /^\(*\s*([A-Za-z]+)/.exec(term)?.[1] ?? '';
}

const GENERIC_BASES = new Set(['Resource', 'DomainResource']);

/**
 * The part of a multi-type expression that applies to one resource type, with `Resource.`/`DomainResource.` roots
 * renamed to the type, and `resolve() is X` (asynchronous in fhirpath.js) replaced by a test on the reference itself:
 * the index only ever sees the resource, never the target.
 */
export function expressionForType(expression: string, resourceType: string): string | undefined {
  const terms = splitUnion(expression)
    .filter((term) => {
      const root = rootOf(term);
      return root === resourceType || GENERIC_BASES.has(root);
    })
    .map((term) => term.replace(/^(\(*\s*)(Resource|DomainResource)\b/, `$1${resourceType}`))
    .map(rewriteResolveIs)
    .map(rewriteAs);
  return terms.length ? terms.join(' | ') : undefined;
}

/**
 * `(x as T)` and `x.as(T)` → `x.ofType(T)`: `as` requires a single item and fhirpath.js throws on collections
 * (e.g. every `Observation.component.value`), while `ofType` filters each item, which is what indexing means.
 */
export function rewriteAs(expression: string): string {
  const fhirType = (type: string) => (type === 'DateTime' ? 'dateTime' : type);
  let rewritten = expression.replace(
    /\.as\(\s*([A-Za-z]+)\s*\)/g,
    (_m, type: string) => `.ofType(${fhirType(type)})`,
  );
  let previous: string;
  do {
    previous = rewritten;
    rewritten = rewritten.replace(
      /\(([^()]*(?:\([^()]*\)[^()]*)*) as ([A-Za-z]+)\)/g,
      (_m, path: string, type: string) => `${path.trim()}.ofType(${fhirType(type)})`,
    );
  } while (rewritten !== previous);
  return rewritten;
}

/** `x.where(resolve() is Patient)` → the references in x whose literal reference or `type` names Patient. */
export function rewriteResolveIs(term: string): string {
  return term.replace(
    /\.where\(\s*resolve\(\)\s+is\s+([A-Za-z]+)\s*\)/g,
    (_match, type: string) =>
      `.where(reference.matches('^(.*/)?${type}/[^/]+(/_history/.*)?$') or type = '${type}')`,
  );
}

/**
 * The top-level elements an expression can read values from (`Observation.value.ofType(Quantity)` → `value`), so the
 * extractor can skip parameters whose elements the resource does not have without running FHIRPath. Undefined when
 * some term does not start with `Type.element` (e.g. a composite rooted at the resource itself).
 */
export function rootElements(expression: string, resourceType: string): string[] | undefined {
  const roots: string[] = [];
  for (const term of splitUnion(expression)) {
    const match = new RegExp(`^\\(*\\s*${resourceType}\\.([a-zA-Z]+)`).exec(term);
    if (!match) return undefined;
    roots.push(match[1]);
  }
  return [...new Set(roots)];
}
