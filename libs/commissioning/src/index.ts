// Governed commissioning extracts: packs read through the secured door, governed (libs/governance), written as files.
export * from './commissioning-extract.service';
export * from './extract-audit';
export { loadOptOutRegister, personKeysOf } from './opt-out.register';
export * from './commissioning-extracts.factory';
export { EXTRACT_READ_SCOPES } from './extract-access';
export { extractAccessFor, EXTRACT_READ_TYPES } from './extract-access';
export * from './extract-order';
export * from './extract-jobs';
export { extractJobRunners, extractKickOff } from './extract-jobs.providers';
