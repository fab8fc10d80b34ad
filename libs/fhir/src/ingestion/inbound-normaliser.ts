import { createHash } from 'node:crypto';
import type { Identifier, Resource } from 'fhir/r4';
import type { Problem } from '../operation-outcome';
import { normaliseIdentifier } from './identifier-normaliser';
import type { InboundContent } from './inbound-message.parser';
import { sourceScopedId } from './source-scoped-id';

export interface NormalisedResource {
  resource: Resource;
  /** The source's own lastUpdated, when it sent one: the version guard against stale copies. */
  sourceUpdated?: string;
  /** Store only if no current version exists (a placeholder, e.g. the Patient of an HL7 result message). */
  ifAbsent?: boolean;
  /** Top-level elements this copy did not carry: kept from the stored version rather than removed. */
  retain?: string[];
}

export interface NormalisedContent {
  upserts: NormalisedResource[];
  deletes: { resourceType: string; id: string }[];
}

export type NormaliseResult = { ok: true; content: NormalisedContent } | { ok: false; problems: Problem[] };

/**
 * Applies the documented ingestion rules (docs/messaging.md) to a message's resources, without I/O:
 *  - ids become source-scoped ids, and every reference inside the message (relative `Type/id` and `urn:uuid:`
 *    fullUrls) is rewritten to match, so the same source record always lands on the same stored resource;
 *  - identifiers are normalised (NHS numbers checked, canonical NHS systems, local identifiers given a system);
 *  - meta.versionId and meta.lastUpdated are the store's to set (and meta.source, from the source system).
 * Nothing else is changed. Every problem is reported, with its location, so a refusal explains itself.
 */
export function normaliseInbound(content: InboundContent, sourceSystem: string): NormaliseResult {
  const problems: Problem[] = [];
  const idByFullUrl = new Map<string, { type: string; id: string }>();

  const scoped = content.upserts.map(({ resource, fullUrl, businessKey }) => {
    const sourceKey = resource.id ?? businessKey ?? keyFromFullUrl(fullUrl) ?? contentKey(resource);
    const id = sourceScopedId(sourceSystem, resource.resourceType, sourceKey);
    if (fullUrl) idByFullUrl.set(fullUrl, { type: resource.resourceType, id });
    return { resource, id };
  });

  const upserts = scoped.map(({ resource, id }, index) => {
    const copy = structuredClone(resource) as Resource;
    const sourceUpdated = copy.meta?.lastUpdated;
    copy.id = id;
    copy.meta = { ...copy.meta };
    delete copy.meta.versionId;
    delete copy.meta.lastUpdated;
    delete copy.meta.source;
    if (Object.keys(copy.meta).length === 0) delete copy.meta;
    const root = content.kind === 'resource' ? copy.resourceType : `Bundle.entry[${index}].resource`;
    walk(copy, root, (node, path, key) => {
      if (key === 'reference' && typeof node.reference === 'string') {
        const rewritten = rewriteReference(node.reference, sourceSystem, idByFullUrl);
        if (typeof rewritten === 'string') node.reference = rewritten;
        else if ('identifier' in rewritten) {
          // A logical reference: valid FHIR, searchable with :identifier, resolved to an id when the target is known.
          delete node.reference;
          node.type = rewritten.type;
          node.identifier = rewritten.identifier;
          problems.push(...normaliseIdentifier(rewritten.identifier, sourceSystem, `${path}.identifier`));
        } else problems.push({ ...rewritten, expression: [`${path}.reference`] });
      }
      if (key === 'identifier') {
        const identifiers = node.identifier;
        if (Array.isArray(identifiers)) {
          identifiers.forEach((identifier, i) =>
            problems.push(
              ...normaliseIdentifier(identifier as Identifier, sourceSystem, `${path}.identifier[${i}]`),
            ),
          );
        } else if (isObject(identifiers)) {
          problems.push(
            ...normaliseIdentifier(identifiers as Identifier, sourceSystem, `${path}.identifier`),
          );
        }
      }
    });
    return { resource: copy, ...(sourceUpdated ? { sourceUpdated } : {}) };
  });

  const deletes = content.deletes.map(({ resourceType, id }) => ({
    resourceType,
    id: sourceScopedId(sourceSystem, resourceType, id),
  }));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, content: { upserts, deletes } };
}

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

type LogicalReference = { type: string; identifier: Identifier };

/**
 * `Type?identifier=system|value`, the conditional reference source systems use for shared things such as
 * practitioners (SDS id), organisations (ODS code) and locations, as a logical reference (Reference.identifier).
 */
function logicalReference(reference: string): LogicalReference | undefined {
  const match = /^([A-Z][A-Za-z]+)\?identifier=([^&]*)$/.exec(reference);
  if (!match) return undefined;
  const token = decodeURIComponent(match[2]);
  const bar = token.indexOf('|');
  const [system, value] = bar >= 0 ? [token.slice(0, bar), token.slice(bar + 1)] : [undefined, token];
  if (!value) return undefined;
  return { type: match[1], identifier: { ...(system ? { system } : {}), value } };
}

function rewriteReference(
  reference: string,
  sourceSystem: string,
  idByFullUrl: Map<string, { type: string; id: string }>,
): string | LogicalReference | Omit<Problem, 'expression'> {
  if (reference.startsWith('#')) return reference;
  const inMessage = idByFullUrl.get(reference);
  if (inMessage) return `${inMessage.type}/${inMessage.id}`;
  if (reference.startsWith('urn:uuid:') || reference.startsWith('urn:oid:')) {
    return {
      code: 'not-found',
      diagnostics: `reference '${reference}' matches no entry's fullUrl in this message`,
    };
  }
  const relative = RELATIVE.exec(reference);
  if (relative) return `${relative[1]}/${sourceScopedId(sourceSystem, relative[1], relative[2])}`;
  const logical = logicalReference(reference);
  if (logical) return logical;
  if (reference.includes('?')) {
    return {
      code: 'not-supported',
      diagnostics: `conditional reference '${reference}' is not supported on the ingestion topic: use Type?identifier=system|value or the source's own id`,
    };
  }
  return reference; // an absolute URL to another server: kept as the source wrote it
}

function keyFromFullUrl(fullUrl: string | undefined): string | undefined {
  if (!fullUrl) return undefined;
  if (fullUrl.startsWith('urn:uuid:')) return fullUrl.slice('urn:uuid:'.length);
  return RELATIVE.exec(fullUrl.split('/').slice(-2).join('/'))?.[2];
}

/** A resource with neither id nor fullUrl is keyed by its content, so a replay of it is still recognised. */
function contentKey(resource: Resource): string {
  return createHash('sha256').update(JSON.stringify(resource)).digest('hex').slice(0, 40);
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Visits every object in a resource with its FHIRPath-like location, once per own key. */
function walk(
  node: unknown,
  path: string,
  visit: (node: JsonObject, path: string, key: string) => void,
): void {
  if (Array.isArray(node)) {
    node.forEach((item, index) => walk(item, `${path}[${index}]`, visit));
    return;
  }
  if (!isObject(node)) return;
  for (const key of Object.keys(node)) {
    visit(node, path, key);
    const child = node[key];
    if (typeof child === 'object' && child !== null) walk(child, `${path}.${key}`, visit);
  }
}
