// Governed commissioning extracts: packs read through the secured door, governed (libs/governance), written as files.
export * from './commissioning-extract.service';
export * from './extract-audit';
export { loadOptOutRegister, personKeysOf } from './opt-out.register';
export * from './commissioning-extracts.factory';
export { EXTRACT_READ_SCOPES } from './extract-access';
