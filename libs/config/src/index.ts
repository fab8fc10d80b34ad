export * from './config-loader';
export * from './config.schema';
export * from './config.module';
