import { createHash } from 'node:crypto';

/**
 * Namespace of Continuum's name-based (v5) UUIDs for source-scoped ids. Fixed for ever: changing it would give
 * every ingested resource a new id.
 */
const CONTINUUM_NAMESPACE = 'f3c7a0b2-59d4-4e55-9a57-8f6b1c2d3e4f';

/**
 * The id Continuum stores a source system's resource under: a UUID v5 of (source system, resource type, the
 * source's own key for it). Deterministic, so a replayed or repeated message updates the same resource instead of
 * creating a duplicate; scoped by source, so two systems' "Patient/123" never collide. Identity linkage across
 * sources (the master patient index) links these resources; it never rewrites their ids.
 */
export function sourceScopedId(sourceSystem: string, resourceType: string, sourceKey: string): string {
  return uuidV5(`${sourceSystem}|${resourceType}|${sourceKey}`, CONTINUUM_NAMESPACE);
}

function uuidV5(name: string, namespace: string): string {
  const namespaceBytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
