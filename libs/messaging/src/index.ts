export * from './kafka-client';
export * from './headers';
export * from './publisher';
export * from './batch-consumer';
export * from './topic-admin';
export * from './kafka.health';
export * from './messaging.module';
