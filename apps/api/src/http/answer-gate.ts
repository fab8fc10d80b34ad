import type { ServerResponse } from 'node:http';
import { operationOutcome } from '@continuum/fhir';

type Write = ServerResponse['write'];
type End = ServerResponse['end'];

/** Headers an answer replaced by the gate's refusal keeps: the ones that say which request it was. */
const KEPT_HEADERS = new Set(['x-correlation-id', 'x-request-id']);

/**
 * Holds a response's bytes until every commit handed to it so far is durable: the API's guarantee that no answer
 * leaves before the AuditEvent of the data in it is written, without making the request wait for the commit
 * before it serialises and compresses the answer. Writes made while a commit is pending are queued and released,
 * in order, once it is durable; writes made with nothing pending go straight through. Handing over a commit answers
 * the one handed over before it: its audit waits for that, so a streamed answer has at most two commits in flight
 * and queues at most the pages written since the older one, however slow the audit store. If a commit fails, what was queued is dropped and, if no header has left
 * yet, the answer becomes a 503 OperationOutcome (nothing was disclosed); otherwise the connection is cut.
 *
 * Installed by RequestAuditMiddleware on every request; whatever wraps `write` and `end` after it (compression,
 * where it comes later) runs before the hold.
 */
export function holdAnswerUntilDurable(
  response: ServerResponse,
  onFailure: (error: unknown) => void,
): (durable: Promise<void>) => Promise<void> {
  const write: Write = response.write.bind(response) as Write;
  const end: End = response.end.bind(response) as End;
  let pending = 0;
  let failure: { error: unknown } | undefined;
  let queued: (() => void)[] = [];

  const release = () => {
    if (pending > 0) return;
    const held = queued;
    queued = [];
    if (failure) return refuse(failure.error);
    for (const step of held) step();
  };
  const refuse = (error: unknown) => {
    onFailure(error);
    if (response.headersSent) {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    for (const name of response.getHeaderNames()) if (!KEPT_HEADERS.has(name)) response.removeHeader(name);
    response.statusCode = 503;
    response.setHeader('Content-Type', 'application/fhir+json; charset=utf-8');
    response.setHeader('Retry-After', '1');
    end(
      JSON.stringify(
        operationOutcome([
          {
            code: 'transient',
            diagnostics: 'The audit record of this answer could not be written, so nothing was sent; try again',
          },
        ]),
      ),
    );
  };

  response.write = ((...args: Parameters<Write>) => {
    if (failure) return false;
    if (pending === 0 && queued.length === 0) return write(...args);
    queued.push(() => void write(...args));
    return true;
  }) as Write;
  response.end = ((...args: Parameters<End>) => {
    if (failure) return response;
    if (pending === 0 && queued.length === 0) return end(...args);
    queued.push(() => void end(...args));
    return response;
  }) as End;

  // the commit handed over last, settled either way: the next one's writer waits for it
  let previous: Promise<void> = Promise.resolve();
  return (durable) => {
    pending += 1;
    const settled = durable.then(
      () => {
        pending -= 1;
        release();
      },
      (error: unknown) => {
        pending -= 1;
        failure ??= { error };
        release();
      },
    );
    const turn = previous;
    previous = settled;
    return turn;
  };
}
