#!/usr/bin/env node
// One-shot topic creation for docker-compose.yml: creates the topics listed in
// libs/messaging/src/topics.json (each entry has `name` and `partitions`) that do
// not exist yet, with replication factor 1. Existing topics are left untouched, so
// running it again is harmless. The native path (scripts/infra/infra.sh) does the
// same with Kafka's own TopicCommand.
//
// Environment: KAFKA_BROKERS (comma-separated host:port), TOPICS_FILE (optional).
'use strict';

const path = require('node:path');
const { Kafka, logLevel } = require('kafkajs');

const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092')
  .split(',')
  .map((broker) => broker.trim())
  .filter(Boolean);
const topicsFile = process.env.TOPICS_FILE || path.join(__dirname, '..', 'libs', 'messaging', 'src', 'topics.json');

function readTopics(file) {
  const parsed = require(file);
  const entries = Array.isArray(parsed) ? parsed : Object.values(parsed);
  return entries.map(({ name, partitions }) => {
    if (typeof name !== 'string' || !Number.isInteger(partitions) || partitions < 1) {
      throw new Error(`${file}: every entry needs a string "name" and a positive integer "partitions"`);
    }
    return { name, partitions };
  });
}

async function main() {
  const wanted = readTopics(topicsFile);
  // Generous retries: the broker may still be loading its metadata right after
  // its healthcheck first passes.
  const kafka = new Kafka({
    clientId: 'continuum-create-topics',
    brokers,
    logLevel: logLevel.WARN,
    retry: { retries: 10, initialRetryTime: 500, maxRetryTime: 10_000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map(({ name, partitions }) => ({ topic: name, numPartitions: partitions, replicationFactor: 1 })),
      });
    }
    const created = missing.map((topic) => topic.name);
    process.stdout.write(
      `Kafka topics ready on ${brokers.join(',')}: ${wanted.map((topic) => topic.name).join(', ')}` +
        (created.length ? ` (created: ${created.join(', ')})\n` : ' (all existed)\n'),
    );
  } finally {
    await admin.disconnect();
  }
}

main().catch((error) => {
  process.stderr.write(`Creating Kafka topics failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
