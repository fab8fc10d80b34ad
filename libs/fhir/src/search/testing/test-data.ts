import { readdirSync, readFileSync } from 'node:fs';
import type { Bundle, Resource } from 'fhir/r4';
import { fixturePath } from '@continuum/testing/test-fixtures';

// Real resources for tests: the official R4 examples, UK Core examples and Synthea transaction bundles
// (test/fixtures/).

export function officialExample<T extends Resource = Resource>(file: string): T {
  return JSON.parse(readFileSync(fixturePath('fhir-r4-official-examples', file), 'utf8')) as T;
}

export function officialExamples(): Resource[] {
  return readdirSync(fixturePath('fhir-r4-official-examples'))
    .filter((file) => file.endsWith('.json') && file !== 'json-patch-tests.json')
    .map((file) => officialExample(file))
    .filter((resource) => typeof resource.resourceType === 'string');
}

/** The UK Core example resources (test/fixtures/ukcore-examples). */
export function ukcoreExamples(): Resource[] {
  return readdirSync(fixturePath('ukcore-examples'))
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(fixturePath('ukcore-examples', file), 'utf8')) as Resource)
    .filter((resource) => typeof resource.resourceType === 'string');
}

export function syntheaBundleFiles(): string[] {
  return readdirSync(fixturePath('synthea-r4-bundles')).filter((file) => file.endsWith('.json'));
}

/**
 * The resources of a Synthea transaction bundle with `urn:uuid:` references rewritten to `Type/id`, as the store
 * stores them after resolving a transaction.
 */
export function syntheaResources(file: string): Resource[] {
  const bundle = JSON.parse(readFileSync(fixturePath('synthea-r4-bundles', file), 'utf8')) as Bundle;
  const local = new Map<string, string>();
  for (const entry of bundle.entry ?? []) {
    if (entry.fullUrl && entry.resource?.id)
      local.set(entry.fullUrl, `${entry.resource.resourceType}/${entry.resource.id}`);
  }
  const text = JSON.stringify((bundle.entry ?? []).flatMap((entry) => entry.resource ?? []));
  return JSON.parse(
    text.replace(/"reference":"(urn:uuid:[^"]+)"/g, (match, urn: string) => {
      const target = local.get(urn);
      return target ? `"reference":"${target}"` : match;
    }),
  ) as Resource[];
}
