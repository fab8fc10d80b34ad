import postgres from 'postgres';
import { IdentifierSystem } from '@continuum/fhir';
import { createKafka, KafkaPublisher, type OutgoingMessage } from '@continuum/messaging';
import { createLogger } from '@continuum/observability';
import { KafkaConfig, loadConfig } from '@continuum/config';
import {
  aValidNhsNumber,
  isolatedIngest,
  TEST_DATABASE_URL,
  testEnv,
  uniqueSuffix,
} from '@continuum/testing';

/** Topics, group and source system owned by one end-to-end scenario, and what it needs to publish and count. */
export class IngestScenario {
  readonly suffix = uniqueSuffix();
  readonly sourceSystem = `E2E${this.suffix.toUpperCase().replace(/[^A-Z0-9]/g, '')}:ingest-test`;
  private readonly isolation = isolatedIngest('e2e', this.suffix);
  readonly topics = this.isolation.topics;
  readonly env: Record<string, string> = {
    ...testEnv,
    ...this.isolation.env,
    INGEST_MAX_BATCH_MESSAGES: '25',
    LOG_LEVEL: 'warn',
  };
  readonly kafka = createKafka(loadConfig(KafkaConfig, this.env), createLogger('e2e', 'error'), 'e2e');
  readonly sql = postgres(TEST_DATABASE_URL, { max: 2, onnotice: () => undefined });
  private readonly publisher = new KafkaPublisher(this.kafka);

  createTopics(): Promise<void> {
    return this.isolation.createTopics(this.kafka, 3);
  }

  /** `count` messages, one Patient each, spread over partitions by their NHS number keys. */
  async publishPatients(count: number): Promise<void> {
    const messages: OutgoingMessage[] = Array.from({ length: count }, (_, i) => {
      const nhsNumber = aValidNhsNumber();
      return {
        key: nhsNumber,
        value: JSON.stringify({
          resourceType: 'Patient',
          id: `p${i}`,
          identifier: [{ system: IdentifierSystem.nhsNumber, value: nhsNumber }],
          name: [{ family: `Family${i}`, given: ['Test'] }],
          birthDate: '1970-01-01',
        }),
        headers: {
          'source-system': this.sourceSystem,
          'message-id': `m${i}`,
          'content-type': 'application/fhir+json',
        },
      };
    });
    await this.publisher.publish(this.topics.fhir, messages);
  }

  async ledgerCount(): Promise<number> {
    const [row] = await this.sql<
      { n: string }[]
    >`SELECT count(*) AS n FROM ingested_message WHERE source_system = ${this.sourceSystem} AND outcome = 'stored'`;
    return Number(row.n);
  }

  async storedCount(resourceType: string): Promise<number> {
    const [row] = await this.sql<
      { n: string }[]
    >`SELECT count(*) AS n FROM resource WHERE resource_type = ${resourceType} AND source_system = ${this.sourceSystem}`;
    return Number(row.n);
  }

  async versionsAbove(resourceType: string, version: number): Promise<number> {
    const [row] = await this.sql<{ n: string }[]>`
      SELECT count(*) AS n FROM resource WHERE resource_type = ${resourceType} AND source_system = ${this.sourceSystem} AND version_id > ${version}`;
    return Number(row.n);
  }

  async close(): Promise<void> {
    await this.publisher.disconnect();
    await this.sql.end();
  }
}
