import { Module } from '@nestjs/common';
import type { Sql } from 'postgres';
import { MessageLedger, SQL } from '@continuum/store';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { FhirMessageTranslator } from './fhir-message.translator';
import { Hl7v2MessageTranslator } from './hl7v2-message.translator';
import { InboundConsumer } from './inbound.consumer';
import { IngestMetrics } from './ingest.metrics';
import { IngestionService } from './ingestion.service';
import { LogicalReferenceResolution } from './logical-reference.resolution';
import { PatientLinkApplier } from './patient-link.applier';

/** Ingestion of source-system feeds from Kafka into the store (see docs/messaging.md for the contract). */
@Module({
  providers: [
    { provide: MessageLedger, useFactory: (sql: Sql) => new MessageLedger(sql), inject: [SQL] },
    LogicalReferenceResolution,
    PatientLinkApplier,
    DeadLetterPublisher,
    FhirMessageTranslator,
    Hl7v2MessageTranslator,
    IngestMetrics,
    IngestionService,
    InboundConsumer,
  ],
  exports: [IngestionService],
})
export class IngestionModule {}
