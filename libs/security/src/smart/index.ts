export * from './pkce';
export * from './smart-authorization';
