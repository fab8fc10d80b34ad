import type { Basic } from 'fhir/r4';
import { ViewDefinitionError } from './view-definition.error';
import { planView } from './view-definition.plan';
import type { ViewDefinition } from './view-definition.types';

// ViewDefinition is not an R4 resource type, and the store validates against R4 (medplum's definitions, the R4
// search parameters, SMART scopes by R4 type). So a stored ViewDefinition is a Basic: its code says what it holds,
// its identifier (system urn:ietf:rfc:3986) is the view's canonical url, so `Basic?code=…&identifier=…` finds it,
// and the ViewDefinition itself, checked by planView before it is wrapped, is an attachment in one extension.

export const VIEW_DEFINITION_CODE = { system: 'https://sql-on-fhir.org/ig', code: 'ViewDefinition' } as const;
export const VIEW_DEFINITION_EXTENSION = 'https://sql-on-fhir.org/ig/StructureDefinition/ViewDefinition';
export const CANONICAL_URL_SYSTEM = 'urn:ietf:rfc:3986';

/** A ViewDefinition as the Basic the store keeps (refused with a 422 naming the path when the view is invalid). */
export function viewDefinitionAsBasic(view: ViewDefinition, id?: string): Basic {
  planView(view);
  if (view.url !== undefined && typeof view.url !== 'string')
    throw new ViewDefinitionError('url', 'must be a string');
  return {
    resourceType: 'Basic',
    ...(id ? { id } : {}),
    code: { coding: [{ ...VIEW_DEFINITION_CODE }], text: view.title ?? view.name ?? 'ViewDefinition' },
    ...(view.url ? { identifier: [{ system: CANONICAL_URL_SYSTEM, value: view.url }] } : {}),
    extension: [
      {
        url: VIEW_DEFINITION_EXTENSION,
        valueAttachment: {
          contentType: 'application/json',
          data: Buffer.from(JSON.stringify({ ...view, resourceType: 'ViewDefinition' }), 'utf8').toString(
            'base64',
          ),
        },
      },
    ],
  };
}

/** The ViewDefinition a stored Basic holds, or undefined when it holds none. */
export function viewDefinitionOf(basic: Basic): ViewDefinition | undefined {
  const isView = basic.code?.coding?.some(
    (coding) => coding.system === VIEW_DEFINITION_CODE.system && coding.code === VIEW_DEFINITION_CODE.code,
  );
  const data = basic.extension?.find((extension) => extension.url === VIEW_DEFINITION_EXTENSION)
    ?.valueAttachment?.data;
  if (!isView || !data) return undefined;
  return { ...(JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as ViewDefinition), id: basic.id };
}

/** `url` or `url|version` as its parts. */
export function canonicalReference(reference: string): { url: string; version?: string } {
  const bar = reference.lastIndexOf('|');
  return bar < 0
    ? { url: reference }
    : { url: reference.substring(0, bar), version: reference.substring(bar + 1) };
}

/**
 * Of the stored views with a url, the one a reference asks for: its version when given, otherwise the active one
 * with the highest version (then any, highest version first).
 */
export function pickViewVersion(views: ViewDefinition[], version?: string): ViewDefinition | undefined {
  if (version !== undefined) return views.find((view) => view.version === version);
  const byVersion = (a: ViewDefinition, b: ViewDefinition) =>
    (b.version ?? '').localeCompare(a.version ?? '', undefined, { numeric: true });
  const active = views.filter((view) => view.status === 'active').sort(byVersion);
  return active[0] ?? [...views].sort(byVersion)[0];
}
