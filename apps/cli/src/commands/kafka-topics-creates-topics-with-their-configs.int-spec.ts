import { ConfigResourceTypes } from 'kafkajs';
import { KafkaConfig, loadConfig } from '@continuum/config';
import { createKafka } from '@continuum/messaging';
import catalogue from '@continuum/messaging/topics.json';
import { createLogger } from '@continuum/observability';
import { testEnv, uniqueSuffix, waitFor } from '@continuum/testing';
import { buildProgram } from '../program';

/**
 * `kafka:topics` is the one topic creation (docker-compose.yml's `kafka-topics` service runs it too): partitions and
 * topic configs come from topics.json, also for a topic that already existed without them.
 */
describe('kafka:topics', () => {
  const suffix = uniqueSuffix();
  const names = {
    fhirInbound: `test.cli.fhir.${suffix}`,
    hl7v2Inbound: `test.cli.hl7.${suffix}`,
    ingestDlq: `test.cli.dlq.${suffix}`,
    changes: `test.cli.changes.${suffix}`,
  };
  const env = {
    ...testEnv,
    KAFKA_TOPIC_FHIR_INBOUND: names.fhirInbound,
    KAFKA_TOPIC_HL7V2_INBOUND: names.hl7v2Inbound,
    KAFKA_TOPIC_INGEST_DLQ: names.ingestDlq,
    KAFKA_TOPIC_CHANGES: names.changes,
  };
  const admin = createKafka(loadConfig(KafkaConfig, env), createLogger('cli-test', 'error'), 'test').admin();
  const saved = { ...process.env };

  beforeAll(async () => {
    await admin.connect();
    Object.assign(process.env, env);
  });
  afterAll(async () => {
    process.env = saved;
    await admin.deleteTopics({ topics: Object.values(names) }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates the missing topics with their partitions and configs, and configures one that existed', async () => {
    // as the old docker/create-topics.js left it: the right partitions, no max.message.bytes
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: names.fhirInbound, numPartitions: catalogue.fhirInbound.partitions }],
    });
    const output = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await buildProgram().parseAsync(['kafka:topics'], { from: 'user' });
    } finally {
      output.mockRestore();
    }

    // what topics.json asks for, and what the broker has (a config change reaches describeConfigs a moment later)
    const keys = Object.keys(names) as (keyof typeof names)[];
    const wanted = keys.map((key) => ({
      key,
      partitions: catalogue[key].partitions,
      config: catalogue[key].config as Record<string, string>,
    }));
    const actual = async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: Object.values(names) });
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: keys.map((key) => ({ type: ConfigResourceTypes.TOPIC, name: names[key] })),
      });
      return wanted.map(({ key, config }) => {
        const entries = resources.find((resource) => resource.resourceName === names[key])!.configEntries;
        return {
          key,
          partitions: topics.find((topic) => topic.name === names[key])?.partitions.length,
          config: Object.fromEntries(
            Object.keys(config).map((name) => [
              name,
              entries.find((entry) => entry.configName === name)?.configValue,
            ]),
          ),
        };
      });
    };
    const seen = await waitFor(actual, (value) => JSON.stringify(value) === JSON.stringify(wanted), {
      timeoutMs: 10_000,
      what: 'the topics as topics.json describes them',
    }).catch(() => actual());
    expect(seen).toEqual(wanted);
    expect(catalogue.fhirInbound.config['max.message.bytes']).toBe('10485760');
  });
});
