import { randomUUID } from 'node:crypto';
import {
  badRequest,
  findProblems,
  FhirError,
  operationOutcome,
  preconditionFailed,
  unprocessable,
  type Problem,
} from '@continuum/fhir';
import type { Bundle, BundleEntry, Resource } from 'fhir/r4';
import type postgres from 'postgres';
import { ResourceWriter } from '../resource.writer';
import type { RecordView, StoreOptions, WriteContext } from '../store.types';
import { parseEntries, type EntryMethod, type ParsedEntry } from './bundle-entry.parser';
import { atEntry, problemsAtEntry } from './entry-error';
import { EntryExecutor, responseEntry } from './entry.executor';
import { inTransaction } from '../database/transaction.runner';

/** FHIR's processing order for a transaction: deletes, creates, updates and patches, then reads. */
const ORDER: Record<EntryMethod, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

/**
 * A `transaction` Bundle: all entries in ONE database transaction, all or nothing. Creates get their ids first, so
 * `urn:uuid:` fullUrls and conditional references (`Patient?identifier=...`) are rewritten everywhere before any
 * resource is validated or written; any failure rolls everything back and names the entry.
 */
export class TransactionProcessor {
  constructor(
    private readonly sql: postgres.Sql,
    private readonly writer: ResourceWriter,
    private readonly executor: EntryExecutor,
    private readonly options: StoreOptions = {},
  ) {}

  async process(bundle: Bundle, context: WriteContext, options: { baseUrl?: string } = {}): Promise<Bundle> {
    if (bundle.resourceType !== 'Bundle' || bundle.type !== 'transaction')
      throw badRequest('Expected a Bundle of type transaction', ['Bundle.type']);
    const { parsed, problems } = parseEntries(bundle.entry ?? [], options.baseUrl ?? this.options.baseUrl);
    if (problems.length) throw new FhirError(400, operationOutcome(problems));
    const ordered = [...parsed].sort((a, b) => ORDER[a.method] - ORDER[b.method] || a.index - b.index);

    const responses = await inTransaction(this.sql, async (tx) => {
      const results = new Map<number, BundleEntry>();
      const run = async (entry: ParsedEntry) => {
        try {
          results.set(entry.index, await this.executor.execute(tx, entry, context));
        } catch (error) {
          throw atEntry(error, entry.index);
        }
      };
      for (const entry of ordered.filter((item) => item.method === 'DELETE')) await run(entry);
      const identities = await this.assignIdentities(tx, ordered, context.view);
      await this.rewriteReferences(tx, ordered, identities, context.view);
      this.validateAll(ordered);
      for (const group of writeGroups(ordered.filter((item) => item.method !== 'DELETE'))) {
        if (group.length === 1) await run(group[0]);
        else {
          // validated above (validateAll), so not again
          const written = await this.writer.putMany(
            tx,
            group.map((entry) => ({
              resource: entry.resource as Resource,
              id: entry.method === 'POST' ? entry.id : undefined,
            })),
            context,
            (error, position) => atEntry(error, group[position].index),
          );
          written.forEach((result, position) => results.set(group[position].index, responseEntry(result)));
        }
      }
      return parsed.map((entry) => results.get(entry.index) as BundleEntry);
    });
    return { resourceType: 'Bundle', type: 'transaction-response', entry: responses };
  }

  /** fullUrl → `Type/id` for every entry that will create or update; conditional ones resolved under their lock. */
  private async assignIdentities(
    tx: postgres.TransactionSql,
    entries: ParsedEntry[],
    view: RecordView | undefined,
  ): Promise<Map<string, string>> {
    const identities = new Map<string, string>();
    for (const entry of entries) {
      if ((entry.method !== 'POST' && entry.method !== 'PUT') || !entry.resource) continue;
      try {
        const id = await this.identityOf(tx, entry, view);
        if (entry.fullUrl) identities.set(entry.fullUrl, `${entry.resourceType}/${id}`);
      } catch (error) {
        throw atEntry(error, entry.index);
      }
    }
    return identities;
  }

  private async identityOf(
    tx: postgres.TransactionSql,
    entry: ParsedEntry,
    view: RecordView | undefined,
  ): Promise<string> {
    const resource = entry.resource as Resource;
    const criteria = entry.method === 'POST' ? entry.ifNoneExist : entry.criteria;
    if (criteria) {
      const matches = await this.writer.resolveCriteria(tx, entry.resourceType, criteria, view);
      if (matches.length > 1)
        throw preconditionFailed(`Criteria '${criteria}' match more than one ${entry.resourceType}`);
      if (matches.length === 1) return matches[0];
    }
    if (entry.method === 'POST') {
      entry.id = randomUUID();
      return entry.id;
    }
    resource.id ??= randomUUID();
    return resource.id;
  }

  /**
   * Rewrites every Reference.reference naming a bundle fullUrl or a conditional reference, in every entry. A
   * conditional reference resolves through the caller's view: one it may not see matches nothing.
   */
  private async rewriteReferences(
    tx: postgres.TransactionSql,
    entries: ParsedEntry[],
    identities: Map<string, string>,
    view: RecordView | undefined,
  ): Promise<void> {
    const conditional = new Map<string, string>();
    for (const entry of entries) {
      if (!entry.resource) continue;
      for (const holder of referenceHolders(entry.resource)) {
        const target = holder.reference;
        const local = identities.get(target);
        if (local) {
          holder.reference = local;
          continue;
        }
        const match = /^([A-Z][A-Za-z]+)\?(.+)$/.exec(target);
        if (!match) continue;
        if (!conditional.has(target)) {
          const found = await this.writer
            .resolveCriteria(tx, match[1], match[2], view)
            .catch((error: unknown) => {
              throw atEntry(error, entry.index);
            });
          if (found.length !== 1) {
            const how = found.length === 0 ? 'matches nothing' : 'matches more than one resource';
            throw atEntry(preconditionFailed(`Conditional reference '${target}' ${how}`), entry.index);
          }
          conditional.set(target, `${match[1]}/${found[0]}`);
        }
        holder.reference = conditional.get(target) as string;
      }
    }
  }

  /** Validates every resource before the first write, so the outcome lists the problems of all entries at once. */
  private validateAll(entries: ParsedEntry[]): void {
    const problems: Problem[] = [];
    for (const entry of entries) {
      if (!entry.resource) continue;
      const found = findProblems(entry.resource, { maxResourceBytes: this.options.maxResourceBytes });
      problems.push(
        ...problemsAtEntry(
          found.filter((problem) => (problem.severity ?? 'error') === 'error'),
          entry.index,
        ),
      );
    }
    if (problems.length) throw unprocessable(problems);
  }
}

/**
 * The entries in processing order, cut into groups written together: a run of plain creates and updates (POST
 * without If-None-Exist, PUT by id without If-Match, each resource once) is one group, written by one `putMany`;
 * every other entry (conditional, If-Match, PATCH, reads) is a group of its own, run as its single request is.
 */
export function writeGroups(entries: ParsedEntry[]): ParsedEntry[][] {
  const groups: ParsedEntry[][] = [];
  let run: ParsedEntry[] = [];
  let keys = new Set<string>();
  const flush = () => {
    if (run.length) groups.push(run);
    run = [];
    keys = new Set();
  };
  for (const entry of entries) {
    const plain =
      entry.resource !== undefined &&
      ((entry.method === 'POST' && !entry.ifNoneExist && entry.id !== undefined) ||
        (entry.method === 'PUT' && !entry.criteria && entry.ifMatch === undefined));
    const key = `${entry.resourceType}/${entry.method === 'POST' ? entry.id : entry.resource?.id}`;
    if (!plain || keys.has(key)) flush();
    if (!plain) {
      groups.push([entry]);
      continue;
    }
    run.push(entry);
    keys.add(key);
  }
  flush();
  return groups;
}

/** Every object with a string `reference` (Reference elements), anywhere in the resource. */
function referenceHolders(value: unknown, found: { reference: string }[] = []): { reference: string }[] {
  if (Array.isArray(value)) value.forEach((item) => referenceHolders(item, found));
  else if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (typeof object.reference === 'string') found.push(object as { reference: string });
    Object.values(object).forEach((item) => referenceHolders(item, found));
  }
  return found;
}
