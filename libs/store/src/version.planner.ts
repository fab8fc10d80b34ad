import { patientCompartmentsOf } from '@continuum/fhir';
import type { Resource } from 'fhir/r4';
import type { ChangeOperation } from './entities';
import type { PlannedVersion, StoredResource, WriteContext } from './store.types';

/**
 * The next lastUpdated of a resource: now, but never at or before its previous version's, so a resource's
 * versions are ordered the same by versionId and by lastUpdated even if clocks step back.
 */
export function nextTimestamp(previous: Date | undefined, now: Date = new Date()): Date {
  if (previous && now.getTime() <= previous.getTime()) return new Date(previous.getTime() + 1);
  return now;
}

/** The resource as stored: server-owned meta (versionId, lastUpdated, source) replaced, the rest kept. */
export function stamp<T extends Resource>(
  resource: T,
  id: string,
  versionId: number,
  lastUpdated: Date,
  context: WriteContext,
): T {
  const {
    versionId: _clientVersion,
    lastUpdated: _clientLastUpdated,
    source: clientSource,
    ...meta
  } = resource.meta ?? {};
  const source = context.sourceSystem ?? clientSource;
  return {
    ...resource,
    id,
    meta: {
      ...meta,
      versionId: String(versionId),
      lastUpdated: lastUpdated.toISOString(),
      ...(source ? { source } : {}),
    },
  };
}

export interface PlanInput {
  current: StoredResource | undefined;
  resourceType: string;
  id: string;
  /** Null to delete. */
  resource: Resource | null;
  context: WriteContext;
  sourceUpdated?: Date | null;
  baseUrl?: string;
  now?: Date;
}

/** Plans the version that follows `current` (version 1 when there is none). */
export function planVersion(input: PlanInput): PlannedVersion {
  const { current, resourceType, id, resource, context } = input;
  const versionId = (current?.versionId ?? 0) + 1;
  const lastUpdated = nextTimestamp(current?.lastUpdated, input.now);
  const content = resource ? stamp(resource, id, versionId, lastUpdated, context) : null;
  const operation: ChangeOperation =
    content === null ? 'delete' : !current || current.deleted ? 'create' : 'update';
  return {
    resourceType,
    id,
    resourceKey: current?.resourceKey || null,
    versionId,
    lastUpdated,
    content,
    compartments: content ? patientCompartmentsOf(content, { baseUrl: input.baseUrl }) : [],
    operation,
    sourceSystem: context.sourceSystem ?? null,
    sourceUpdated: input.sourceUpdated ?? null,
    requestId: context.requestId ?? null,
  };
}

/** True when two versions carry the same data, ignoring server-owned meta (an identical replay). */
export function sameContent(a: Resource | null, b: Resource | null): boolean {
  if (a === null || b === null) return a === b;
  return canonicalJson(withoutServerMeta(a)) === canonicalJson(withoutServerMeta(b));
}

function withoutServerMeta(resource: Resource): Resource {
  const { versionId: _v, lastUpdated: _l, ...meta } = resource.meta ?? {};
  const { meta: _meta, ...rest } = resource;
  return Object.keys(meta).length ? { ...rest, meta } : rest;
}

/** JSON with object keys sorted, so key order (which jsonb does not keep) does not count as a change. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
