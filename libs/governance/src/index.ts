export * from './pseudonymisation';
export * from './disclosure-control';
export * from './generalisation';
export * from './governed-extract';
export * from './extract-manifest';
export * from './organisation-codes';
export * from './reference-organisations';
export * from './extract-packs';
