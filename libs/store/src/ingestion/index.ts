export { MessageLedger, ledgerKey } from './message-ledger';
export type { MessageKey, MessageReceipt } from './message-ledger';
export type { IngestOutcome } from './ingested-message.entity';
