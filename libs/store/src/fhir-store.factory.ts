import type postgres from 'postgres';
import { BatchProcessor } from './bundle/batch.processor';
import { EntryExecutor } from './bundle/entry.executor';
import { TransactionProcessor } from './bundle/transaction.processor';
import { BulkUpserter } from './bulk/bulk.upserter';
import { FhirStore } from './fhir-store';
import { ResourceRepository } from './repository/resource.repository';
import { ResourceReader } from './resource.reader';
import { ResourceWriter } from './resource.writer';
import { ResourceSourceReader } from './scan/resource-source.reader';
import { PersonQueries } from './identity/person.queries';
import { SearchCriteriaMatcher } from './search-criteria.matcher';
import { ResourceSearcher } from './search/resource-searcher';
import { SearchIndexWriter } from './search/search-index.writer';
import type { CriteriaMatcher, SearchIndexPort } from './store.ports';
import type { StoreOptions } from './store.types';
import { VersionWriter } from './version.writer';
import { PatientMergeService } from './merge/patient-merge.service';

/** Wires the store over a postgres.js pool: what StoreModule provides, and what scripts and tests call directly. */
export function createFhirStore(
  sql: postgres.Sql,
  options: StoreOptions & { searchIndex?: SearchIndexPort; matcher?: CriteriaMatcher } = {},
): FhirStore {
  const { repository, versions } = versionedWrites(options);
  const writer = new ResourceWriter(
    repository,
    versions,
    options.matcher ?? new SearchCriteriaMatcher(options),
    options,
  );
  const reader = new ResourceReader(repository);
  const executor = new EntryExecutor(writer, reader, new ResourceSearcher(), options.baseUrl);
  return new FhirStore(
    sql,
    writer,
    reader,
    new ResourceSearcher(sql),
    new ResourceSourceReader(sql),
    new PersonQueries(sql),
    new TransactionProcessor(sql, writer, executor, options),
    new BatchProcessor(sql, executor, options),
    new BulkUpserter(sql, repository, versions, options),
  );
}

/** The patient merge (and unmerge) over the same pool, writing through the same versioned path as the store. */
export function createPatientMergeService(
  sql: postgres.Sql,
  options: StoreOptions & { searchIndex?: SearchIndexPort } = {},
): PatientMergeService {
  const { repository, versions } = versionedWrites(options);
  return new PatientMergeService(sql, repository, versions, options);
}

function versionedWrites(options: StoreOptions & { searchIndex?: SearchIndexPort }) {
  const repository = new ResourceRepository();
  const versions = new VersionWriter(
    repository,
    options.searchIndex ?? new SearchIndexWriter({ baseUrl: options.baseUrl }),
  );
  return { repository, versions };
}
