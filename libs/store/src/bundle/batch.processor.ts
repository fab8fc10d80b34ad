import { badRequest, FhirError, operationOutcome } from '@continuum/fhir';
import type { Bundle, BundleEntry } from 'fhir/r4';
import type postgres from 'postgres';
import type { StoreOptions, WriteContext } from '../store.types';
import { parseEntries } from './bundle-entry.parser';
import { atEntry } from './entry-error';
import { EntryExecutor } from './entry.executor';
import { inTransaction } from '../database/transaction.runner';

/** A `batch` Bundle: each entry on its own, in its own transaction; a failure answers that entry only. */
export class BatchProcessor {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly executor: EntryExecutor,
    private readonly options: StoreOptions = {},
  ) {}

  async process(bundle: Bundle, context: WriteContext, options: { baseUrl?: string } = {}): Promise<Bundle> {
    if (bundle.resourceType !== 'Bundle' || bundle.type !== 'batch')
      throw badRequest('Expected a Bundle of type batch', ['Bundle.type']);
    const entries = bundle.entry ?? [];
    const { parsed, problems } = parseEntries(entries, options.baseUrl ?? this.options.baseUrl);
    const responses: BundleEntry[] = entries.map(() => ({ response: { status: '400 Bad Request' } }));
    for (const problem of problems) {
      const index = Number(/entry\[(\d+)\]/.exec(problem.expression?.[0] ?? '')?.[1]);
      responses[index] = failure(new FhirError(400, operationOutcome([problem])), index);
    }
    for (const entry of parsed) {
      try {
        responses[entry.index] = await inTransaction(this.sql, (tx) =>
          this.executor.execute(tx, entry, context),
        );
      } catch (error) {
        responses[entry.index] = failure(atEntry(error, entry.index), entry.index);
      }
    }
    return { resourceType: 'Bundle', type: 'batch-response', entry: responses };
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function failure(error: unknown, index: number): BundleEntry {
  const known =
    error instanceof FhirError
      ? error
      : new FhirError(
          500,
          operationOutcome([{ code: 'exception', diagnostics: `Bundle.entry[${index}]: internal error` }]),
        );
  const status = `${known.status} ${REASONS[known.status] ?? ''}`.trim();
  return { response: { status, outcome: known.outcome } };
}
