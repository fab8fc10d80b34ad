// Patient summary documents (International Patient Summary shaped) from a patient's record.
export * from './patient-summary.builder';
