export * from './correlation';
export * from './logger';
export * from './metrics';
export * from './health';
export * from './ops-server';
export * from './observability.module';
export * from './run-main';
export * from './ops-server.module';
