import { Inject, Injectable } from '@nestjs/common';
import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4';
import { IngestConfig } from '@continuum/config';
import {
  buildProvenance,
  FhirError,
  findProblems,
  IdentifierSystem,
  isTransientFault,
  MergeRefusedError,
  type Problem,
} from '@continuum/fhir';
import type { ConsumedMessage } from '@continuum/messaging';
import { APP_LOGGER, type Logger } from '@continuum/observability';
import {
  FhirStore,
  ledgerKey,
  MessageLedger,
  PatientMergeService,
  type BulkEntry,
  type MessageReceipt,
} from '@continuum/store';
import { IdentityLinker } from '@continuum/store/identity';
import { DeadLetterPublisher } from './dead-letter.publisher';
import {
  isRejection,
  readEnvelope,
  rejection,
  type InboundEnvelope,
  type Rejection,
} from './inbound-envelope';
import { IngestMetrics } from './ingest.metrics';
import { LogicalReferenceResolution } from './logical-reference.resolution';
import { PatientLinkApplier } from './patient-link.applier';
import type { MessageTranslator, Translation } from './translation';

interface Accepted {
  message: ConsumedMessage;
  envelope: InboundEnvelope;
  translation: Translation;
}

interface Refused {
  message: ConsumedMessage;
  envelope?: InboundEnvelope;
  rejection: Rejection;
}

/**
 * Turns a chunk of one partition's messages into stored resources. Resolves only when every message is durably
 * dealt with — stored (with its Provenance and ledger receipt) or dead-lettered with a reason — so the consumer
 * may then commit the offsets. Throws only for transient faults (database or Kafka unavailable, deadlock): the
 * chunk is then retried as a whole, which is harmless because every step is idempotent (source-scoped ids,
 * identical copies add no version, the ledger skips messages already ingested).
 */
@Injectable()
export class IngestionService {
  constructor(
    private readonly store: FhirStore,
    private readonly ledger: MessageLedger,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: IngestMetrics,
    private readonly references: LogicalReferenceResolution,
    private readonly identity: IdentityLinker,
    private readonly merges: PatientMergeService,
    private readonly patientLinks: PatientLinkApplier,
    private readonly config: IngestConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async ingest(messages: ConsumedMessage[], translator: MessageTranslator): Promise<void> {
    const refused: Refused[] = [];
    const withEnvelope: { message: ConsumedMessage; envelope: InboundEnvelope }[] = [];
    for (const message of messages) {
      const fromContent = translator.messageIdOf?.(message);
      const envelope = readEnvelope(message, typeof fromContent === 'string' ? fromContent : undefined);
      // with the headers given, a broken message is refused by translate() below and recorded in the ledger
      if (isRejection(envelope))
        refused.push({ message, rejection: typeof fromContent === 'object' ? fromContent : envelope });
      else withEnvelope.push({ message, envelope });
    }

    const seen = await this.ledger.known(withEnvelope.map(({ envelope }) => envelope));
    const accepted: Accepted[] = [];
    for (const { message, envelope } of withEnvelope) {
      const key = ledgerKey(envelope);
      if (seen.has(key)) {
        this.metrics.messages.inc({ topic: message.topic, outcome: 'duplicate' });
        continue;
      }
      seen.add(key); // the same message twice in one chunk is a replay too
      const translation = translator.translate(message, envelope);
      const problem = isRejection(translation) ? translation : invalidContent(translation);
      if (problem) refused.push({ message, envelope, rejection: problem });
      else
        accepted.push({
          message,
          envelope,
          translation: withProvenance(message, envelope, translation as Translation),
        });
    }

    for (const [sourceSystem, items] of groupBySource(accepted)) {
      await this.references.resolve(
        items.flatMap(({ translation }) => translation.upserts.map(({ resource }) => resource)),
        sourceSystem,
      );
    }
    const unchangedPatients = new Set<string>();
    const storeRefusals = await this.write(accepted, unchangedPatients);
    for (const item of accepted) {
      const refusal = storeRefusals.get(item);
      if (refusal) refused.push({ message: item.message, envelope: item.envelope, rejection: refusal });
    }
    // Every new or changed Patient is (re)linked to its person before the ledger and the offsets move on: a crash
    // in between replays the chunk, and linking again is harmless. A Patient stored unchanged (most messages repeat
    // their Patient) keeps its links, unless it has none: then an earlier attempt crashed before linking it.
    // (IDENTITY_LINK_ON_INGEST=false: benchmarks only.)
    if (this.config.linkOnIngest) {
      const patients = new Set(
        accepted
          .filter((item) => !storeRefusals.has(item))
          .flatMap(({ translation }) => translation.upserts.map(({ resource }) => resource))
          .filter((resource) => resource.resourceType === 'Patient' && resource.id)
          .map((resource) => resource.id!),
      );
      const changed = [...patients].filter((id) => !unchangedPatients.has(id));
      const neverLinked = await this.identity.unlinkedAmong(
        [...patients].filter((id) => unchangedPatients.has(id)),
      );
      await this.identity.linkStored([...changed, ...neverLinked]);
    }
    // A24/A37: the source's own link decisions, once both records have a person
    for (const item of accepted) {
      if (storeRefusals.has(item) || !item.translation.patientLink) continue;
      const refusal = await this.patientLinks.apply(item.translation.patientLink, item.envelope);
      if (refusal) {
        storeRefusals.set(item, refusal);
        refused.push({ message: item.message, envelope: item.envelope, rejection: refusal });
      }
    }

    await this.deadLetters.publish(refused);
    await this.ledger.record([
      ...accepted
        .filter((item) => !storeRefusals.has(item))
        .map((item) =>
          receipt(
            item.message,
            item.envelope,
            'stored',
            item.translation.upserts.length + item.translation.deletes.length,
          ),
        ),
      ...refused.flatMap(({ message, envelope, rejection: { code } }) =>
        envelope ? [receipt(message, envelope, 'dead-lettered', 0, code)] : [],
      ),
    ]);
    for (const item of accepted) {
      if (!storeRefusals.has(item))
        this.metrics.messages.inc({ topic: item.message.topic, outcome: 'stored' });
    }
    for (const {
      message,
      rejection: { code },
    } of refused) {
      this.metrics.messages.inc({ topic: message.topic, outcome: 'dead-lettered' });
      this.metrics.deadLettered.inc({ topic: message.topic, code });
      this.logger.warn(
        { topic: message.topic, partition: message.partition, offset: message.offset, code },
        'message dead-lettered',
      );
    }
  }

  /**
   * Writes accepted messages: those with deletes one by one as atomic transaction bundles, the rest through the
   * bulk path, one call per source system. A permanent store error on a group is narrowed down to the message
   * that causes it by writing the group's messages one by one; transient faults propagate.
   */
  private async write(
    accepted: Accepted[],
    unchangedPatients: Set<string>,
  ): Promise<Map<Accepted, Rejection>> {
    const refusals = new Map<Accepted, Rejection>();
    const bulk: Accepted[] = [];
    for (const item of accepted) {
      if (item.translation.deletes.length > 0 || item.translation.merge) {
        const refusal = item.translation.merge
          ? await this.writeMerge(item)
          : await this.writeAsTransaction(item);
        if (refusal) refusals.set(item, refusal);
      } else bulk.push(item);
    }
    for (const [sourceSystem, group] of groupBySource(bulk)) {
      try {
        await this.writeBulk(sourceSystem, group, refusals, unchangedPatients);
      } catch (error) {
        if (isTransientFault(error) || group.length === 1) {
          if (isTransientFault(error)) throw error;
          refusals.set(group[0], storeError(error));
          continue;
        }
        for (const item of group) {
          try {
            await this.writeBulk(sourceSystem, [item], refusals, unchangedPatients);
          } catch (single) {
            if (isTransientFault(single)) throw single;
            refusals.set(item, storeError(single));
          }
        }
      }
    }
    return refusals;
  }

  private async writeBulk(
    sourceSystem: string,
    group: Accepted[],
    refusals: Map<Accepted, Rejection>,
    unchangedPatients = new Set<string>(),
  ): Promise<void> {
    const entries: BulkEntry[] = [];
    const owners: Accepted[] = [];
    for (const item of group) {
      for (const upsert of item.translation.upserts) {
        entries.push({
          resource: upsert.resource,
          sourceUpdated: upsert.sourceUpdated ?? item.envelope.receivedAt.toISOString(),
          ifAbsent: upsert.ifAbsent,
          retain: upsert.retain,
          validated: true, // invalidContent() ran the store's own rules on every resource of the message
        });
        owners.push(item);
      }
    }
    const results = await this.store.upsertMany(entries, { sourceSystem });
    results.forEach((result, index) => {
      this.metrics.resources.inc({ outcome: result.outcome });
      if (
        result.resourceType === 'Patient' &&
        result.id &&
        (result.outcome === 'unchanged' || result.outcome === 'stale')
      )
        unchangedPatients.add(result.id);
      if (result.outcome === 'invalid') {
        // Validated before writing, so this means the store applies a rule ingestion does not know: report it.
        refusals.set(owners[index], {
          code: 'store-refused',
          reason: `the store refused ${result.resourceType}/${result.id}: ${result.detail?.issue.map((issue) => issue.diagnostics).join('; ')}`,
          outcome: result.detail ?? rejection('store-refused', []).outcome,
        });
      }
    });
  }

  /**
   * A merge (A40): refused up front when it cannot apply (dead-lettered with the reason, nothing stored); else the
   * message's resources (the survivor's demographics), the survivor linked to its person, then the merge itself in
   * one transaction (PatientMergeService: links, every reference re-pointed, identity REDIRECT, Provenance).
   * A replay of the same merge changes nothing.
   */
  private async writeMerge(item: Accepted): Promise<Rejection | undefined> {
    const merge = item.translation.merge!;
    const { sourceSystem, messageId } = item.envelope;
    try {
      const refusal = await this.merges.refusalOf(merge.mergedPatientId, merge.survivingPatientId);
      if (refusal) return mergeRefusal(refusal);
      const refusals = new Map<Accepted, Rejection>();
      await this.writeBulk(sourceSystem, [item], refusals);
      if (refusals.has(item)) return refusals.get(item);
      await this.identity.linkStored([merge.survivingPatientId]);
      const result = await this.merges.merge({
        mergedPatientId: merge.mergedPatientId,
        survivingPatientId: merge.survivingPatientId,
        agent: sourceAgent(sourceSystem),
        reason: `ADT^A40 ${messageId} from ${sourceSystem}`,
        sourceSystem,
        requestId: messageId,
        mergedPlaceholder: merge.mergedPlaceholder,
      });
      this.metrics.resources.inc({ outcome: result.outcome === 'merged' ? 'merged' : 'unchanged' });
      return undefined;
    } catch (error) {
      if (isTransientFault(error)) throw error;
      if (error instanceof MergeRefusedError) return mergeRefusal(error);
      return storeError(error);
    }
  }

  private async writeAsTransaction(item: Accepted): Promise<Rejection | undefined> {
    const entry: BundleEntry[] = [
      ...item.translation.deletes.map(({ resourceType, id }) => ({
        request: { method: 'DELETE' as const, url: `${resourceType}/${id}` },
      })),
      ...item.translation.upserts.map(({ resource }) => ({
        resource: resource as FhirResource,
        request: { method: 'PUT' as const, url: `${resource.resourceType}/${resource.id}` },
      })),
    ];
    const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry };
    try {
      await this.store.processBundle(bundle, { sourceSystem: item.envelope.sourceSystem });
      this.metrics.resources.inc({ outcome: 'deleted' }, item.translation.deletes.length);
      return undefined;
    } catch (error) {
      if (isTransientFault(error)) throw error;
      return storeError(error);
    }
  }
}

function groupBySource(items: Accepted[]): Map<string, Accepted[]> {
  const groups = new Map<string, Accepted[]>();
  for (const item of items)
    groups.set(item.envelope.sourceSystem, [...(groups.get(item.envelope.sourceSystem) ?? []), item]);
  return groups;
}

function invalidContent(translation: Translation): Rejection | undefined {
  const problems: Problem[] = translation.upserts.flatMap(({ resource }) =>
    findProblems(resource).map((problem) => ({
      ...problem,
      diagnostics: `${resource.resourceType}/${resource.id}: ${problem.diagnostics}`,
    })),
  );
  return problems.length > 0 ? rejection('invalid-fhir', problems) : undefined;
}

function withProvenance(
  message: ConsumedMessage,
  envelope: InboundEnvelope,
  translation: Translation,
): Translation {
  if (translation.upserts.length === 0) return translation;
  const provenance = buildProvenance(
    translation.upserts.map(({ resource }) => ({ resourceType: resource.resourceType, id: resource.id! })),
    {
      ...envelope,
      receivedAt: envelope.receivedAt.toISOString(),
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
    },
  );
  return { ...translation, upserts: [...translation.upserts, { resource: provenance }] };
}

/** A merge that cannot apply: dead-lettered with its own code (e.g. `merge-target-merged`) and the reason. */
function mergeRefusal(error: MergeRefusedError): Rejection {
  return { code: error.code, reason: error.message, outcome: error.outcome };
}

/** The source system as the merge Provenance's author, with its ODS code when its name starts with one. */
function sourceAgent(sourceSystem: string) {
  const odsCode = /^([A-Z0-9]{3,10}):/i.exec(sourceSystem)?.[1]?.toUpperCase();
  return {
    display: sourceSystem,
    role: 'author' as const,
    ...(odsCode ? { identifier: { system: IdentifierSystem.odsOrganisationCode, value: odsCode } } : {}),
  };
}

function storeError(error: unknown): Rejection {
  if (error instanceof FhirError) {
    return { code: 'store-refused', reason: error.message, outcome: error.outcome };
  }
  const message = error instanceof Error ? error.message : String(error);
  return rejection('store-error', [
    { code: 'exception', diagnostics: `the store could not write this message: ${message}` },
  ]);
}

function receipt(
  message: ConsumedMessage,
  envelope: InboundEnvelope,
  outcome: MessageReceipt['outcome'],
  resourceCount: number,
  errorCode: string | null = null,
): MessageReceipt {
  return {
    sourceSystem: envelope.sourceSystem,
    messageId: envelope.messageId,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    receivedAt: envelope.receivedAt,
    outcome,
    resourceCount,
    errorCode,
  };
}
