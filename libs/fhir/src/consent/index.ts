export * from './consent-codes';
export * from './consent-directive';
