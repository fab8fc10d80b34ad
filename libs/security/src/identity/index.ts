// The master patient index for apps that serve people: `@continuum/security/identity`, a separate entry because it
// runs on TypeORM (the identity tables), which other users of @continuum/security never load.
export * from './identity-administration.service';
export * from './identity-services.module';
export * from './match-parameters';
export * from './patient-identifier-cross-reference.service';
export * from './patient-match.service';
export * from './identity-parameters';
