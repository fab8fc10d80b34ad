export { AuditEventRepository, type AuditQuery, type AuditRow } from './audit-event.repository';
export { AuditLog } from './audit.log';
export { AuditChainVerifier, type ChainReport } from './audit-chain.verifier';
export { canonicalJson, chainHash, GENESIS_HASH } from './audit-chain';
