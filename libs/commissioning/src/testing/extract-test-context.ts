import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AccessClaims, accessContextFrom, createSecuredStore, runWithAccess } from '@continuum/security';
import { createFhirStore, type FhirStore, PersonQueries } from '@continuum/store';
import { IdentityLinker, IdentityLinks, openIdentityDataSource } from '@continuum/store/identity';
import { createScratchDatabase } from '@continuum/store/outbox/testing/scratch-database';
import { createSql } from '@continuum/store/database/sql.factory';
import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import type postgres from 'postgres';
import { CommissioningExtracts } from '../commissioning-extract.service';
import { auditExtractsTo } from '../extract-audit';
import { EXTRACT_READ_SCOPES } from '../extract-access';

const BASE = 'http://localhost/fhir';

/**
 * An extract stack over a scratch database of its own: the plain store to load with, the identity linker, the
 * secured door the extract reads through, and the extract service writing to a scratch directory.
 */
export async function openExtractContext(now: () => Date = () => new Date()) {
  const database = await createScratchDatabase(TEST_DATABASE_URL, `continuum_test_extract_${uniqueSuffix()}`);
  const sql: postgres.Sql = createSql(database.config, { applicationName: 'test-extract' });
  const store: FhirStore = createFhirStore(sql, { baseUrl: BASE });
  const {
    secured,
    auditLog: log,
    consents,
  } = createSecuredStore(sql, store, { baseUrl: BASE, observer: 'extract-test' });
  const extracts = new CommissioningExtracts(
    secured,
    new PersonQueries(sql),
    consents,
    auditExtractsTo(log, 'extract-test'),
    now,
  );
  const directory = mkdtempSync(join(tmpdir(), 'continuum-extract-'));
  const identity = await openIdentityDataSource(database.config);
  const linker = new IdentityLinker(identity, new IdentityLinks(identity));
  const asExtractor = <T>(work: () => Promise<T>, claims: Partial<AccessClaims> = {}) =>
    runWithAccess(
      accessContextFrom({
        sub: 'analyst@icb.example',
        client_id: 'extract-test-client',
        scope: EXTRACT_READ_SCOPES,
        purpose_of_use: 'HSYSADMIN',
        ...claims,
      }),
      undefined,
      work,
    );
  return {
    sql,
    store,
    extracts,
    directory,
    linker,
    asExtractor,
    close: async () => {
      await log.flush();
      await identity.destroy();
      await sql.end({ timeout: 5 });
      await database.drop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
