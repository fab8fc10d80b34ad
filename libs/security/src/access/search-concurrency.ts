import { type SearchFilter, type SearchRequest, tooManyRequests } from '@continuum/fhir';
import type { AccessContext } from './access-context';

/** Seconds a caller over its cap is asked to wait: an expensive search usually ends within that. */
const RETRY_AFTER_SECONDS = 2;

const costly = (filter: SearchFilter): boolean =>
  filter.kind !== 'param' || filter.modifier === 'contains' || filter.code.endsWith(':text');

/**
 * A search whose cost can grow with the store rather than with its answer: chains and `_has` (joins through other
 * resources), `:contains` and `:text` (trigram scans), an exact count (`_total=accurate`, `_summary=count`), a sort
 * on a search parameter (computed for every match before the page), or iterated includes.
 */
export function isExpensiveSearch(request: SearchRequest): boolean {
  return (
    request.filters.some(costly) ||
    request.total === 'accurate' ||
    request.summary === 'count' ||
    request.sort.some((key) => key.code !== '_id' && key.code !== '_lastUpdated') ||
    [...request.includes, ...request.revincludes].some((spec) => spec.iterate)
  );
}

/**
 * At most `perCaller` expensive searches of one caller (client and user) run at once; one more is a 429 with
 * Retry-After, before it takes a database connection. In memory: per API replica, like the rate limit.
 */
export class SearchConcurrencyLimiter {
  private readonly running = new Map<string, number>();

  constructor(private readonly perCaller: number) {}

  async run<T>(access: AccessContext, request: SearchRequest, work: () => Promise<T>): Promise<T> {
    if (!isExpensiveSearch(request)) return work();
    const caller = `${access.clientId}\u0000${access.subject}`;
    const running = this.running.get(caller) ?? 0;
    if (running >= this.perCaller)
      throw tooManyRequests(
        `At most ${this.perCaller} expensive searches (chains, _has, :contains, counts, sorts) of one caller run at once; retry when one has finished`,
        RETRY_AFTER_SECONDS,
      );
    this.running.set(caller, running + 1);
    try {
      return await work();
    } finally {
      const left = (this.running.get(caller) ?? 1) - 1;
      if (left > 0) this.running.set(caller, left);
      else this.running.delete(caller);
    }
  }
}
