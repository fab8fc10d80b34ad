import type { Client } from '@elastic/elasticsearch';
import type { SearchFamily } from '@continuum/fhir';
import { SEARCH_FAMILIES } from '@continuum/fhir';
import common from '../mappings/common.v1.json';
import clinical from '../mappings/clinical.v1.json';
import patient from '../mappings/patient.v1.json';
import type { SearchIndexNaming } from './search-index.naming';

const FAMILY_TEMPLATES: Record<SearchFamily, { template: { mappings: { properties: object } } }> = {
  patient,
  clinical,
};

/** Every field a family's documents may have (the common ones and the family's own). */
export function mappedFields(family: SearchFamily): object {
  return { ...common.template.mappings.properties, ...FAMILY_TEMPLATES[family].template.mappings.properties };
}

/**
 * Installs the committed mappings as composable templates: one component template with the fields every document
 * has, and one index template per family pattern composed of it. Idempotent (PUT), so every start may run it.
 */
export async function installIndexTemplates(client: Client, naming: SearchIndexNaming): Promise<void> {
  await client.cluster.putComponentTemplate({
    name: naming.componentTemplate(),
    template: common.template as never,
    _meta: common._meta,
  });
  for (const family of SEARCH_FAMILIES) {
    await client.indices.putIndexTemplate({
      name: naming.indexTemplate(family),
      index_patterns: [naming.indexPattern(family)],
      composed_of: [naming.componentTemplate()],
      template: FAMILY_TEMPLATES[family].template as never,
      priority: 200,
    });
  }
}
