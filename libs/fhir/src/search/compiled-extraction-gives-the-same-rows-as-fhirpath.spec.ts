import type { Resource } from 'fhir/r4';
import { CommunityGenerator } from '@continuum/generator';
import { extractIndexRows } from './index-rows.extractor';
import { INDEX_TABLES, type IndexRows } from './index-rows.types';
import { extractionCorners } from './testing/extraction-corners';
import { officialExamples, syntheaBundleFiles, syntheaResources, ukcoreExamples } from './testing/test-data';

// The compiled extraction (direct accessors, FHIRPath only where they cannot answer) must give exactly the index
// rows of FHIRPath evaluation of every parameter (`compiled: false`), resource by resource, table by table.

/** A small generated community (its shared directory and 8 people), plus 3 people with data-quality noise on all. */
function community(): Resource[] {
  const parse = (json: string) => JSON.parse(json) as Resource;
  const generator = new CommunityGenerator({ seed: 'spec-compiled-extraction' });
  const noisy = new CommunityGenerator({ seed: 'spec-compiled-extraction-noisy', noiseShare: 1 });
  return [
    ...generator.directory().resources.map((resource) => parse(resource.json)),
    ...Array.from({ length: 8 }, (_, i) => generator.person(i).resources.map((r) => parse(r.json))).flat(),
    ...Array.from({ length: 3 }, (_, i) => noisy.person(i).resources.map((r) => parse(r.json))).flat(),
  ];
}

function sortedRows(rows: IndexRows): Record<string, string[]> {
  return Object.fromEntries(
    INDEX_TABLES.map((table) => [table, rows[table].map((row) => JSON.stringify(row)).sort()]),
  );
}

function rowsOrError(resource: Resource, compiled: boolean): Record<string, string[]> | string {
  try {
    return sortedRows(extractIndexRows(resource, { compiled, baseUrl: 'https://fhir.example.nhs.uk/R4' }));
  } catch (error) {
    return `throws: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function differences(resources: Resource[]): string[] {
  return resources.flatMap((resource) => {
    const compiled = rowsOrError(resource, true);
    const fhirpath = rowsOrError(resource, false);
    return JSON.stringify(compiled) === JSON.stringify(fhirpath)
      ? []
      : [
          `${resource.resourceType}/${resource.id}: compiled ${JSON.stringify(compiled)} fhirpath ${JSON.stringify(fhirpath)}`,
        ];
  });
}

describe('compiled search-index extraction', () => {
  it('gives every resource of a generated community the rows FHIRPath gives', () => {
    const resources = community();
    expect(resources.length).toBeGreaterThan(2000);
    expect(differences(resources)).toEqual([]);
  });

  it('gives the official R4 examples, the UK Core examples and the Synthea bundles the rows FHIRPath gives', () => {
    const resources = [
      ...officialExamples(),
      ...ukcoreExamples(),
      ...syntheaBundleFiles().flatMap((file) => syntheaResources(file)),
    ];
    expect(resources.length).toBeGreaterThan(400);
    expect(differences(resources)).toEqual([]);
  });

  it('gives the rows FHIRPath gives at the corners of its behaviour, and fails where it fails', () => {
    expect(differences(extractionCorners)).toEqual([]);
    // The union of a comparator quantity with another: fhirpath.js cannot compare them, and neither path hides it.
    expect(
      rowsOrError(
        extractionCorners.find((r) => r.id === 'comparator-in-union')!,
        true,
      ),
    ).toMatch(/^throws/);
  });
});
