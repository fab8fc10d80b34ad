export * from './source-scoped-id';
export * from './inbound-message.parser';
export * from './identifier-normaliser';
export * from './inbound-normaliser';
export * from './provenance.builder';
export * from './logical-reference.resolver';
