import type { Resource } from 'fhir/r4';
import type { SerialisedResource } from './output.model';

const UUID_REFERENCE = /"reference":"[A-Za-z]+\/([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})"/g;

export function serialise(resource: Resource): SerialisedResource {
  return { resourceType: resource.resourceType, id: resource.id ?? '', json: JSON.stringify(resource) };
}

/**
 * The resource JSON as a transaction entry wants it: no id (the server assigns one on POST) and references to
 * generated (uuid) resources as urn:uuid. Directory ids are not uuids, so their relative references stay.
 * Relies on the mappers writing `resourceType` then `id` first, which they all do.
 */
export function asTransactionResource(r: SerialisedResource, patientReference?: { from: string; to: string }): string {
  const idPart = `,"id":"${r.id}"`;
  let json = r.json.startsWith(`{"resourceType":"${r.resourceType}"${idPart}`)
    ? `{"resourceType":"${r.resourceType}"${r.json.slice(r.resourceType.length + 18 + idPart.length)}`
    : r.json;
  if (patientReference) json = json.split(patientReference.from).join(patientReference.to);
  return json.replace(UUID_REFERENCE, '"reference":"urn:uuid:$1"');
}

export interface TransactionEntry {
  resource: SerialisedResource;
  method: 'POST' | 'PUT';
  url: string;
  ifNoneExist?: string;
  /** Keep the id (PUT by id of directory resources). */
  keepId?: boolean;
}

/** A transaction Bundle assembled as a string, so entries are not parsed and stringified again. */
export function transactionBundle(entries: TransactionEntry[], patientReference?: { from: string; to: string }): string {
  const parts = entries.map((e) => {
    const resource = e.keepId ? e.resource.json : asTransactionResource(e.resource, patientReference);
    const fullUrl = e.keepId ? '' : `"fullUrl":"urn:uuid:${e.resource.id}",`;
    const request = JSON.stringify({ method: e.method, url: e.url, ...(e.ifNoneExist ? { ifNoneExist: e.ifNoneExist } : {}) });
    return `{${fullUrl}"resource":${resource},"request":${request}}`;
  });
  return `{"resourceType":"Bundle","type":"transaction","entry":[${parts.join(',')}]}`;
}
