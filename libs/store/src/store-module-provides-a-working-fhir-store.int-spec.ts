import 'reflect-metadata';
import { ContinuumConfigModule, DatabaseConfig, Section } from '@continuum/config';
import { testEnv } from '@continuum/testing';
import { Test, type TestingModule } from '@nestjs/testing';
import { ValidateNested } from 'class-validator';
import { PostgresHealthCheck } from './database/postgres.health';
import { FhirStore } from './fhir-store';
import { ResourceStore } from './resource-store';
import { StoreModule } from './store.module';
import { aPatient } from './testing/fhir-builders';
import { openTestStore, token } from './testing/test-store';

class StoreOnlyConfig {
  @Section(() => DatabaseConfig) @ValidateNested() database!: DatabaseConfig;
}

describe('StoreModule provides a working FhirStore to a Nest app', () => {
  let app: TestingModule;

  beforeAll(async () => {
    await (await openTestStore()).close(); // migrates when the global setup did not
    app = await Test.createTestingModule({
      imports: [
        ContinuumConfigModule.forRoot(StoreOnlyConfig, testEnv),
        StoreModule.forRoot({ access: 'unrestricted' }),
      ],
    }).compile();
    await app.init();
  });
  afterAll(() => app.close());

  it('binds the plain store as the ResourceStore of an unrestricted (worker) app', () => {
    expect(app.get(ResourceStore)).toBe(app.get(FhirStore));
  });

  it('writes, reads and scans through the injected store and reports Postgres healthy', async () => {
    const store = app.get(ResourceStore);
    const created = await store.create(aPatient(`module-${token()}`));
    expect((await store.read('Patient', created.id)).id).toBe(created.id);
    const scanned = [];
    for await (const page of store.scan({
      types: { include: ['Patient'] },
      since: new Date(Date.now() - 60_000),
    }))
      scanned.push(...page.filter((row) => row.id === created.id));
    expect(scanned).toMatchObject([{ resourceType: 'Patient', id: created.id, deleted: false }]);
    await expect(app.get(PostgresHealthCheck).check()).resolves.toBeUndefined();
  });
});
