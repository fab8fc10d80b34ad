import type { AccessContext, Interaction, ScopeGrant } from '@continuum/security';

/** The kick-off caller's access context as stored on the job (JSON: the grants' sets become lists). */
export interface AccessSnapshot extends Omit<AccessContext, 'grants'> {
  grants: { context: ScopeGrant['context']; resourceType: string; interactions: Interaction[] }[];
}

export function snapshotOf(access: AccessContext): AccessSnapshot {
  return {
    ...access,
    grants: access.grants.map((grant) => ({ ...grant, interactions: [...grant.interactions] })),
  };
}

/** The access context a worker runs the job under: exactly the kick-off caller's, person widening included. */
export function accessFrom(snapshot: AccessSnapshot): AccessContext {
  return {
    ...snapshot,
    grants: snapshot.grants.map((grant) => ({ ...grant, interactions: new Set(grant.interactions) })),
  };
}
