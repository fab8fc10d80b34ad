import { parseReference } from '@continuum/fhir';
import type { Patient, PatientLink, Resource } from 'fhir/r4';

/**
 * What a Patient says about who else is the same person: each `Patient.link` as its type and its target (a local
 * reference as `Type/id`, whatever its form; otherwise the reference or identifier as written). `$everything` and
 * `$summary` follow these links, so they decide whose records are shown together. Displays and extensions are not
 * identity and are left out.
 */
export function identityLinksOf(resource: Resource | undefined, baseUrl?: string): string[] {
  if (resource?.resourceType !== 'Patient') return [];
  const links: PatientLink[] = (resource as Patient).link ?? [];
  return [...new Set(links.map((link) => `${link.type ?? ''} ${targetOf(link, baseUrl)}`))].sort();
}

/** True when a change from `current` to `next` (absent: none; null: deleted) adds, removes or alters a link. */
export function changesIdentityLinks(
  current: Resource | undefined,
  next: Resource | null,
  baseUrl?: string,
): boolean {
  const before = identityLinksOf(current, baseUrl);
  const after = identityLinksOf(next ?? undefined, baseUrl);
  return before.length !== after.length || before.some((link, i) => link !== after[i]);
}

function targetOf(link: PatientLink, baseUrl: string | undefined): string {
  const { reference, identifier } = link.other ?? {};
  const parsed = reference ? parseReference(reference, baseUrl) : undefined;
  if (parsed && !parsed.external) return `${parsed.type ?? ''}/${parsed.id}`;
  if (reference) return reference.trim();
  return `${identifier?.system ?? ''}|${identifier?.value ?? ''}`;
}
