// The portal's launch ledger: `@continuum/store/launch`, a separate entry because it runs on TypeORM, which apps
// without control tables never load.
export * from './used-launch-token.entity';
export * from './used-launch-tokens.repository';
export { LaunchStoreModule } from './launch-store.module';
export * from './smart-launch.entities';
export * from './smart-launches.repository';
export * from './launch-state.sweeper';
