import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@continuum/observability';

/** Ingestion rates, outcomes and dead-letter counts by reason (consumer lag comes from the BatchConsumer). */
@Injectable()
export class IngestMetrics {
  readonly messages: Counter<'topic' | 'outcome'>;
  readonly resources: Counter<'outcome'>;
  readonly deadLettered: Counter<'topic' | 'code'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.messages = new Counter({
      name: 'continuum_ingest_messages_total',
      help: 'Messages ingested, by outcome: stored, duplicate (a replay), dead-lettered',
      labelNames: ['topic', 'outcome'],
      registers: [registry],
    });
    this.resources = new Counter({
      name: 'continuum_ingest_resources_total',
      help: 'Resources written by ingestion, by outcome: created, updated, unchanged, stale, deleted',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.deadLettered = new Counter({
      name: 'continuum_ingest_dead_lettered_total',
      help: 'Messages sent to the dead-letter topic, by error code',
      labelNames: ['topic', 'code'],
      registers: [registry],
    });
  }
}
