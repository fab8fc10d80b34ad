export { MessageLedger, ledgerKey } from './message-ledger';
export type { MessageKey, MessageReceipt } from './message-ledger';
export { IngestedMessageEntity } from './ingested-message.entity';
export type { IngestOutcome } from './ingested-message.entity';
