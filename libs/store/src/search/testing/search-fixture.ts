import type { FhirResource, Resource } from 'fhir/r4';
import { patientCompartmentsOf } from '@continuum/fhir';
import postgres from 'postgres';
import { SearchIndexWriter } from '../search-index.writer';

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/continuum_test';

export function testSql(): postgres.Sql {
  return postgres(TEST_DATABASE_URL, {
    max: 4,
    onnotice: () => undefined,
    types: {
      bigint: { to: 20, from: [20], serialize: (value: string) => value, parse: (value: string) => value },
    },
  });
}

/** A short random suffix for the ids and codes a test owns. */
export function suffix(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Stores current versions the way the store does (a `resource` row with compartments, then the index rows, in one
 * transaction), without the store's versioning rules: enough to search them. Returns the resource keys.
 */
export async function storeResources(
  sql: postgres.Sql,
  resources: FhirResource[],
  options: { baseUrl?: string } = {},
) {
  const writer = new SearchIndexWriter(options);
  return sql.begin(async (tx) => {
    const entries = [];
    for (const resource of resources) {
      if (!resource.id) throw new Error('test resources need ids');
      const lastUpdated = resource.meta?.lastUpdated ?? new Date().toISOString();
      const content = { ...resource, meta: { ...resource.meta, versionId: '1', lastUpdated } };
      const [{ resource_key }] = await tx<{ resource_key: string }[]>`
        INSERT INTO resource (resource_type, id, resource_key, version_id, last_updated, compartments, content)
        VALUES (${resource.resourceType}, ${resource.id}, nextval('resource_key_seq'), 1, ${lastUpdated},
                ${patientCompartmentsOf(resource, options)}::text[], ${tx.json(content as unknown as postgres.JSONValue)})
        ON CONFLICT (resource_type, id) DO UPDATE SET version_id = resource.version_id + 1, content = EXCLUDED.content,
          last_updated = EXCLUDED.last_updated, compartments = EXCLUDED.compartments, deleted = false
        RETURNING resource_key`;
      entries.push({
        resourceType: resource.resourceType,
        resourceKey: resource_key,
        resource: content as Resource,
      });
    }
    await writer.write(tx, entries);
    return entries.map((entry) => entry.resourceKey);
  });
}

/**
 * Refreshes planner statistics of the resource and index tables. Autovacuum does this in a running system; a test
 * database whose tables went from empty to thousands of rows in seconds would otherwise be planned as empty.
 */
export async function analyzeSearchTables(sql: postgres.Sql): Promise<void> {
  await sql`ANALYZE resource, search_string, search_token, search_date, search_number, search_quantity, search_reference, search_uri, search_composite`;
}
