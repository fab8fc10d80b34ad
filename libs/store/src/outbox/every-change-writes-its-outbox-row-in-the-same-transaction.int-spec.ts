import type { Patient } from 'fhir/r4';
import type postgres from 'postgres';
import { ResourceRepository } from '../repository/resource.repository';
import { ResourceWriter } from '../resource.writer';
import { SearchCriteriaMatcher } from '../search-criteria.matcher';
import { SearchIndexWriter } from '../search/search-index.writer';
import { aPatient } from '../testing/fhir-builders';
import { openTestStore, token } from '../testing/test-store';
import { planVersion } from '../version.planner';
import { VersionWriter } from '../version.writer';

/** Rolled back on purpose: what the transaction saw is the proof, and a relay running meanwhile never sees the rows. */
class Rollback extends Error {}

describe('every change writes its outbox row in the same transaction', () => {
  let sql: postgres.Sql;
  let close: () => Promise<void>;
  const repository = new ResourceRepository();
  const versions = new VersionWriter(repository, new SearchIndexWriter());
  const writer = new ResourceWriter(repository, versions, new SearchCriteriaMatcher());

  beforeAll(async () => ({ sql, close } = await openTestStore()));
  afterAll(() => close());

  async function insideRolledBackTransaction(
    work: (tx: postgres.TransactionSql) => Promise<void>,
  ): Promise<void> {
    await expect(
      sql.begin(async (tx) => {
        await work(tx);
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
  }

  const changesOf = (tx: postgres.TransactionSql, id: string) =>
    tx<{ version_id: number; operation: string; request_id: string | null; same_tx: boolean }[]>`
      SELECT version_id, operation, request_id, tx_id = txid_current() AS same_tx
      FROM resource_change WHERE resource_type = 'Patient' AND id = ${id} ORDER BY seq`;

  it('create, update and delete each add one row, with version, operation and request id', async () => {
    await insideRolledBackTransaction(async (tx) => {
      const context = { requestId: `req-${token()}` };
      const created = await writer.create(tx, aPatient(`outbox-${token()}`), context);
      await writer.update(tx, { ...(created.resource as Patient), active: true }, context);
      await writer.delete(tx, 'Patient', created.id, context);
      expect(await changesOf(tx, created.id)).toEqual([
        { version_id: 1, operation: 'create', request_id: context.requestId, same_tx: true },
        { version_id: 2, operation: 'update', request_id: context.requestId, same_tx: true },
        { version_id: 3, operation: 'delete', request_id: context.requestId, same_tx: true },
      ]);
    });
  });

  it('a multi-resource write (the statement the bulk path uses) adds one row per resource', async () => {
    await insideRolledBackTransaction(async (tx) => {
      const ids = [`outbox-bulk-a-${token()}`, `outbox-bulk-b-${token()}`];
      const planned = ids.map((id) =>
        planVersion({
          current: undefined,
          resourceType: 'Patient',
          id,
          resource: aPatient(id),
          context: { requestId: 'bulk-1' },
        }),
      );
      const { written } = await versions.write(tx, planned);
      expect(written).toHaveLength(2);
      for (const id of ids) {
        expect(await changesOf(tx, id)).toEqual([
          { version_id: 1, operation: 'create', request_id: 'bulk-1', same_tx: true },
        ]);
      }
    });
  });
});
