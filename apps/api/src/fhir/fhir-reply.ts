import { informational } from '@continuum/fhir';
import { etagOf, type WriteResult } from '@continuum/store';
import type { Request, Response } from 'express';
import type { Resource } from 'fhir/r4';
import type { FhirRequestHeaders } from './fhir-request';

/** What a FHIR route answers: a status, a resource (or none), and the headers FHIR gives it. */
export interface FhirReply {
  status: number;
  body?: Resource;
  headers?: Record<string, string>;
}

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export function sendReply(request: Request, response: Response, reply: FhirReply): void {
  response.status(reply.status);
  for (const [name, value] of Object.entries(reply.headers ?? {})) response.setHeader(name, value);
  if (!reply.body) {
    response.end();
    return;
  }
  const pretty = request.query._pretty === 'true';
  response.type(FHIR_JSON).send(JSON.stringify(reply.body, null, pretty ? 2 : undefined));
}

/** ETag and Last-Modified of a stored resource's current version. */
export function versionHeaders(resource: Resource): Record<string, string> {
  const headers: Record<string, string> = {};
  if (resource.meta?.versionId) headers.ETag = etagOf(Number(resource.meta.versionId));
  if (resource.meta?.lastUpdated)
    headers['Last-Modified'] = new Date(resource.meta.lastUpdated).toUTCString();
  return headers;
}

/** read/vread, answering 304 when the client's copy (If-None-Match, If-Modified-Since) is current. */
export function readReply(resource: Resource, headers: FhirRequestHeaders): FhirReply {
  const version = versionHeaders(resource);
  const lastUpdated = resource.meta?.lastUpdated ? Date.parse(resource.meta.lastUpdated) : undefined;
  const sameTag = headers.ifNoneMatch !== undefined && sameVersion(headers.ifNoneMatch, version.ETag);
  // HTTP dates have whole seconds: compare at that precision.
  const notModified =
    headers.ifModifiedSince !== undefined &&
    lastUpdated !== undefined &&
    Math.floor(lastUpdated / 1000) <= Math.floor(headers.ifModifiedSince.getTime() / 1000);
  if (sameTag || (headers.ifNoneMatch === undefined && notModified)) return { status: 304, headers: version };
  return { status: 200, body: resource, headers: version };
}

function sameVersion(tag: string, etag: string | undefined): boolean {
  const strip = (value: string) => value.trim().replace(/^W\//, '');
  return tag.trim() === '*' || (etag !== undefined && tag.split(',').some((t) => strip(t) === strip(etag)));
}

/** create/update/patch/delete, shaped by `Prefer: return=`. */
export function writeReply(result: WriteResult, headers: FhirRequestHeaders, baseUrl: string): FhirReply {
  const path = `${result.resourceType}/${result.id}`;
  const versioned = result.versionId ? `${baseUrl}/${path}/_history/${result.versionId}` : undefined;
  const replyHeaders: Record<string, string> = {
    ...(result.versionId ? { ETag: etagOf(result.versionId) } : {}),
    ...(result.lastUpdated ? { 'Last-Modified': new Date(result.lastUpdated).toUTCString() } : {}),
    ...(versioned ? { [result.status === 201 ? 'Location' : 'Content-Location']: versioned } : {}),
  };
  if (result.outcome === 'deleted' || result.outcome === 'not-found' || !result.resource) {
    return headers.preferReturn === 'OperationOutcome'
      ? { status: 200, headers: replyHeaders, body: informational(describe(result, path)) }
      : { status: 204, headers: replyHeaders };
  }
  switch (headers.preferReturn) {
    case 'minimal':
      return { status: result.status, headers: replyHeaders };
    case 'OperationOutcome':
      return { status: result.status, headers: replyHeaders, body: informational(describe(result, path)) };
    default:
      return { status: result.status, headers: replyHeaders, body: result.resource };
  }
}

function describe(result: WriteResult, path: string): string {
  const version = result.versionId ? ` (version ${result.versionId})` : '';
  const verbs: Record<WriteResult['outcome'], string> = {
    created: 'Created',
    updated: 'Updated',
    deleted: 'Deleted',
    existing: 'Matched existing',
    unchanged: 'No change to',
    'not-found': 'Nothing to delete at',
  };
  return `${verbs[result.outcome]} ${path}${version}`;
}
