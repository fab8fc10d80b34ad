export {
  AuditEventRepository,
  type AuditQuery,
  type AuditRow,
  type StoredAuditRow,
} from './audit-event.repository';
export { AuditLog } from './audit.log';
export { AuditChainVerifier, type ChainReport } from './audit-chain.verifier';
export {
  canonicalJson,
  canonicalTimestamp,
  chainHash,
  rowHash,
  CURRENT_CHAIN_VERSION,
  GENESIS_HASH,
  type AuditRowColumns,
  type ChainVersion,
} from './audit-chain';
export { auditColumnsOf, type AuditEventColumns } from './audit-row';
