// Security and information governance: SMART scopes, access-checked data access, consent, audit, tokens.
export * from './scopes/smart-scope.parser';
export * from './access/access-context';
export * from './access/access-scope';
export { SecuredResourceStore } from './access/secured-resource.store';
export { createSecuredStore } from './access/secured-store.factory';
export { PersonScope } from './access/person-scope';
export * from './consent/consent.evaluator';
export { CONSENT_CATEGORY_SYSTEM, NATIONAL_DATA_OPT_OUT, SCOPE_SYSTEM } from '@continuum/fhir';
export * from './audit/audit-event.builder';
export { AuditRecorder, type EdgeAnswer } from './audit/audit.recorder';
export * from './audit/audited-request';
export { JwtVerifier, ALLOWED_ALGORITHMS } from './jwt/jwt.verifier';
export { LocalIssuer, type LaunchTokenRequest, type TokenRequest } from './jwt/local-issuer';
export { PatientMergeAdministration } from './identity/patient-merge.service';
export { SecurityModule } from './security.module';
