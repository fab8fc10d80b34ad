// Merging one source Patient into another (HL7 A40, an operator's $merge) and undoing it, in one transaction.
export * from './patient-merge.service';
