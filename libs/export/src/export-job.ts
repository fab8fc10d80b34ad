import { randomUUID } from 'node:crypto';
import { type AccessContext, type AuditTarget, runWithAccess } from '@continuum/security';
import type { ExportJob, ExportJobKind, ExportJobs } from '@continuum/store';
import { type AccessSnapshot, accessFrom, snapshotOf } from './access-snapshot';
import type { ExportSettings } from './export-settings';

/** The path of a job's status URL under the FHIR base (polled, downloaded from and cancelled at). */
export function statusPath(id: string): string {
  return `$export-status/${id}`;
}

/** What a kick-off asks of the workers: the job's kind, the request as sent, and everything the job needs. */
export interface JobOrder {
  kind: ExportJobKind;
  requestUrl: string;
  parameters: object;
  /** What the kick-off already has to say (lenient handling's ignored parameters). */
  issues?: string[];
}

/**
 * Creates a job of any kind for the caller who kicked it off (its client, purpose and access as they are now), at
 * this instant (the job's transactionTime), expiring after the configured time, and names it in the kick-off's
 * audit target. Answers the status URL: the 202's Content-Location.
 */
export async function createJob(
  jobs: ExportJobs,
  settings: ExportSettings,
  access: AccessContext,
  target: AuditTarget,
  order: JobOrder,
): Promise<string> {
  const id = randomUUID();
  target.resources.push(statusPath(id));
  const now = new Date();
  await jobs.create({
    id,
    kind: order.kind,
    clientId: access.clientId,
    purposeOfUse: access.purposeOfUse,
    access: snapshotOf(access),
    requestUrl: order.requestUrl,
    parameters: { ...order.parameters },
    transactionTime: now,
    expiresAt: new Date(now.getTime() + settings.expiresAfterSeconds * 1000),
    issues: order.issues ?? [],
  });
  return `${settings.baseUrl}/${statusPath(id)}`;
}

/** A job's work run as the caller who kicked it off: their access, and a request named after the job for its audit. */
export function asKickOffCaller<T>(job: ExportJob, method: string, work: () => Promise<T>): Promise<T> {
  // a slice is audited as the export it is part of
  const request = { method, url: job.requestUrl, correlationId: job.parentId ?? job.id, audited: 0 };
  return runWithAccess(accessFrom(job.access as AccessSnapshot), request, work);
}
