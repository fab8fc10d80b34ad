// Restricted (S-flag) people: which records carry the flag, what locates them, and how it is removed.
export * from './restricted-person';
