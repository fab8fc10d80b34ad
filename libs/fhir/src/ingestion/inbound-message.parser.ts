import type { Bundle, BundleEntry, Resource } from 'fhir/r4';
import type { Problem } from '../operation-outcome';

/** What a `fhir.inbound` message asks for: resources to store (upsert) and resources to delete. */
export interface InboundContent {
  kind: 'resource' | 'transaction' | 'batch' | 'collection';
  upserts: InboundResource[];
  deletes: { resourceType: string; id: string }[];
}

export interface InboundResource {
  resource: Resource;
  /** The entry's fullUrl, when it came in a Bundle: what other entries may reference it by. */
  fullUrl?: string;
  /**
   * The business identifier the source keys this record by, from a conditional create (`ifNoneExist`) or a
   * conditional update (`PUT Type?identifier=...`): `identifier=system|value`. Stable across messages, unlike a
   * fullUrl, so later messages about the same record update it instead of duplicating it.
   */
  businessKey?: string;
}

export type ParseResult =
  { ok: true; content: InboundContent } | { ok: false; code: InboundErrorCode; problems: Problem[] };

export type InboundErrorCode = 'malformed-json' | 'not-fhir' | 'unsupported-bundle' | 'invalid-entry';

const ACCEPTED_BUNDLES = new Set(['transaction', 'batch', 'collection']);

/**
 * Reads a message value as the contract defines it: one FHIR R4 resource, or a transaction, batch or collection
 * Bundle. Anything else is refused with a reason; nothing here touches a database.
 */
export function parseInboundMessage(value: Buffer | string | null): ParseResult {
  if (value === null || value.length === 0) return fail('not-fhir', 'the message has no value');
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (error) {
    return fail('malformed-json', `the message value is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail('not-fhir', 'the message value is not a JSON object');
  }
  const resource = json as Resource;
  if (typeof resource.resourceType !== 'string') {
    return fail('not-fhir', 'the message value has no resourceType: it is not a FHIR resource');
  }
  if (resource.resourceType !== 'Bundle')
    return { ok: true, content: { kind: 'resource', upserts: [{ resource }], deletes: [] } };

  const bundle = resource as Bundle;
  if (!ACCEPTED_BUNDLES.has(bundle.type)) {
    return fail(
      'unsupported-bundle',
      `Bundle.type '${bundle.type}' is not accepted on this topic: send a transaction, batch or collection`,
      ['Bundle.type'],
    );
  }
  return parseEntries(bundle);
}

function parseEntries(bundle: Bundle): ParseResult {
  const content: InboundContent = { kind: bundle.type as InboundContent['kind'], upserts: [], deletes: [] };
  const problems: Problem[] = [];
  (bundle.entry ?? []).forEach((entry: BundleEntry, index) => {
    const where = `Bundle.entry[${index}]`;
    const method = entry.request?.method;
    if (method === 'DELETE') {
      const [resourceType, id, ...rest] = (entry.request?.url ?? '').split('/');
      if (!resourceType || !id || rest.length > 0) {
        problems.push({
          code: 'invalid',
          diagnostics: 'a DELETE entry must name Type/id in request.url',
          expression: [`${where}.request.url`],
        });
      } else content.deletes.push({ resourceType, id });
      return;
    }
    if (method === 'GET' || method === 'HEAD' || method === 'PATCH') {
      problems.push({
        code: 'not-supported',
        diagnostics: `request.method ${method} is not supported on the ingestion topic (only POST, PUT and DELETE)`,
        expression: [`${where}.request.method`],
      });
      return;
    }
    if (!entry.resource) {
      problems.push({
        code: 'required',
        diagnostics: 'the entry has no resource',
        expression: [`${where}.resource`],
      });
      return;
    }
    const businessKey =
      identifierCriteria(entry.request?.ifNoneExist) ?? identifierCriteria(entry.request?.url?.split('?')[1]);
    content.upserts.push({
      resource: entry.resource,
      fullUrl: entry.fullUrl,
      ...(businessKey ? { businessKey } : {}),
    });
  });
  if (problems.length > 0) return { ok: false, code: 'invalid-entry', problems };
  return { ok: true, content };
}

/** `identifier=system|value` (the only criteria that name one record for sure), or undefined. */
function identifierCriteria(criteria: string | undefined): string | undefined {
  if (!criteria) return undefined;
  const match = /^identifier=([^&]+)$/.exec(criteria);
  return match ? `identifier=${decodeURIComponent(match[1])}` : undefined;
}

function fail(code: InboundErrorCode, diagnostics: string, expression?: string[]): ParseResult {
  return {
    ok: false,
    code,
    problems: [
      { code: code === 'unsupported-bundle' ? 'not-supported' : 'invalid', diagnostics, expression },
    ],
  };
}
