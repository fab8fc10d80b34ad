// The master patient index's store: `@continuum/store/identity`, a separate entry because it runs on TypeORM, which
// apps without control tables never load.
export * from './identity.entities';
export * from './identity-links.repository';
export * from './identity.linker';
export { IdentityStoreModule } from './identity-store.module';
export * from './block-index';
export * from './identity.rebuild';
export * from './identity.initial-load';
export * from './identity-data-source';
