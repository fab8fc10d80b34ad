import type { Client } from '@elastic/elasticsearch';
import type { BulkOperationContainer, BulkResponseItem } from '@elastic/elasticsearch/lib/api/types';
import { searchDocumentId, type SearchDocument } from '@continuum/fhir';

/** One document for one index (through its writer alias); its version is the document's versionId. */
export interface IndexAction {
  target: string;
  document: SearchDocument;
}

export interface ItemFailure {
  ref: string;
  target: string;
  status: number;
  type: string;
  reason: string;
}

export interface BulkOutcome {
  written: number;
  /** 409: the index already holds this version or a newer one, which is what we want. */
  conflicts: number;
  /** The target index was removed while the write was under way (a finished rebuild): nothing to do. */
  retired: number;
  /** Refused for good (a mapping error): logged and counted by the caller, never retried. */
  failures: ItemFailure[];
}

export interface BulkWriterOptions {
  /** Attempts for items refused with 429 or 5xx before the whole call fails (and the caller retries later). */
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Thrown when Elasticsearch stays unavailable or overloaded for the items of a call after every attempt. */
export class TransientIndexError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientIndexError';
  }
}

/**
 * Bulk writes with external versioning: each document carries its FHIR versionId as the Elasticsearch version,
 * so a late or replayed event for an older version cannot overwrite a newer document (it gets a 409, counted as
 * done). The same version is written again (`external_gte`): its document can change without a new version when
 * the person becomes restricted or stops being (the outbox then re-announces the person's records). Items refused with 429 or 5xx are retried alone with capped exponential backoff; other item errors are
 * permanent and returned, so one bad document never blocks the rest.
 */
export class BulkWriter {
  private readonly maxAttempts: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly client: Client,
    options: BulkWriterOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.initialBackoffMs = options.initialBackoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
  }

  /**
   * `refresh: true` refreshes the written shards before answering, `'wait_for'` waits for the next periodic
   * refresh; with either, the writes are searchable when this returns (what the lag metric measures).
   */
  async write(
    actions: IndexAction[],
    options: { refresh?: boolean | 'wait_for' } = {},
  ): Promise<BulkOutcome> {
    const outcome: BulkOutcome = { written: 0, conflicts: 0, retired: 0, failures: [] };
    let pending = actions;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let items: BulkResponseItem[];
      try {
        const response = await this.client.bulk({
          operations: toOperations(pending),
          refresh: options.refresh ?? false,
          require_alias: true,
        });
        items = response.items.map((item) => item.index!);
      } catch (error) {
        if (attempt >= this.maxAttempts)
          throw new TransientIndexError(`bulk request failed: ${messageOf(error)}`, { cause: error });
        await this.backoff(attempt);
        continue;
      }
      const retry: IndexAction[] = [];
      items.forEach((item, i) => {
        const action = pending[i];
        if (item.status < 300) outcome.written++;
        else if (item.status === 409) outcome.conflicts++;
        else if (item.status === 404 && item.error?.type === 'index_not_found_exception') outcome.retired++;
        else if (item.status === 429 || item.status >= 500) retry.push(action);
        else outcome.failures.push(failureOf(action, item));
      });
      if (retry.length && attempt >= this.maxAttempts) {
        throw new TransientIndexError(`${retry.length} documents still refused after ${attempt} attempts`);
      }
      pending = retry;
      if (retry.length) await this.backoff(attempt);
    }
    return outcome;
  }

  private backoff(attempt: number): Promise<void> {
    const ms = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** (attempt - 1));
    return new Promise((resolve) => setTimeout(resolve, ms * (0.5 + Math.random() / 2)));
  }
}

function toOperations(actions: IndexAction[]): (BulkOperationContainer | SearchDocument)[] {
  return actions.flatMap(({ target, document }) => [
    {
      index: {
        _index: target,
        _id: searchDocumentId(document.resourceType, document.id),
        version: document.versionId,
        // equal versions are written again: a person becoming restricted re-indexes unchanged records
        version_type: 'external_gte' as const,
      },
    },
    document,
  ]);
}

function failureOf(action: IndexAction, item: BulkResponseItem): ItemFailure {
  return {
    ref: searchDocumentId(action.document.resourceType, action.document.id),
    target: action.target,
    status: item.status,
    type: item.error?.type ?? 'unknown',
    // Elasticsearch quotes the refused value ("Preview of field's value: ..."), which may be patient data.
    reason: (item.error?.reason ?? '').replace(/Preview of field's value:[\s\S]*/, '').slice(0, 300),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
