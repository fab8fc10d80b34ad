import { isResourceType } from '@medplum/core';
import type { Problem } from '../operation-outcome';
import type { VisitedElement } from './element.walker';
import { FHIR_ID } from './id-format';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/**
 * Reference.reference must be one of the forms R4 defines: `Type/id` (optionally `/_history/vid`), an absolute
 * URL, `urn:uuid:`/`urn:oid:`, or `#id` naming a contained resource. A bare token without a type is only a
 * warning: the spec's own examples carry a few (`"reference": "1"`), and they resolve nowhere rather than wrongly.
 */
export function checkReferenceFormat(
  element: VisitedElement,
  containedIds: ReadonlySet<string>,
): Problem | undefined {
  if (element.type !== 'Reference' || element.value === null || typeof element.value !== 'object')
    return undefined;
  const reference = (element.value as { reference?: unknown }).reference;
  if (typeof reference !== 'string') return undefined;
  const path = `${element.path}.reference`;
  const problem = describeProblem(reference, containedIds);
  if (!problem) return undefined;
  return { ...problem, expression: [path] };
}

function describeProblem(
  reference: string,
  containedIds: ReadonlySet<string>,
): Omit<Problem, 'expression'> | undefined {
  const invalid = (why: string) => ({
    code: 'invalid' as const,
    diagnostics: `Reference '${reference}' ${why}`,
  });
  if (reference.startsWith('#')) {
    const id = reference.slice(1);
    if (id === '' || containedIds.has(id)) return undefined;
    return invalid(`names no contained resource`);
  }
  if (reference.startsWith('urn:uuid:'))
    return UUID.test(reference.slice(9)) ? undefined : invalid('is not a valid urn:uuid');
  if (reference.startsWith('urn:oid:'))
    return OID.test(reference.slice(8)) ? undefined : invalid('is not a valid urn:oid');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(reference)) {
    try {
      new URL(reference);
      return undefined;
    } catch {
      return invalid('is not a valid absolute URL');
    }
  }
  if (/^[A-Z][A-Za-z]+\?/.test(reference)) return invalid('is an unresolved conditional reference');
  if (/\s/.test(reference)) return invalid('contains whitespace');
  const [type, ...rest] = reference.split('/');
  if (rest.length === 0) {
    return {
      code: 'invalid',
      severity: 'warning',
      diagnostics: `Reference '${reference}' has no resource type (expected Type/id)`,
    };
  }
  if (!isResourceType(type)) return invalid(`names an unknown resource type '${type}'`);
  const [id, history, versionId, ...extra] = rest;
  if (!FHIR_ID.test(id ?? '')) return invalid(`has an invalid id '${id ?? ''}'`);
  if (history === undefined) return undefined;
  if (history === '_history' && FHIR_ID.test(versionId ?? '') && extra.length === 0) return undefined;
  return invalid('is not of the form Type/id or Type/id/_history/vid');
}
