// Lint rules, including the architecture boundaries from STYLE.md:
// libraries never import apps, apps never import each other, and libs/fhir imports no infrastructure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const apps = ['api', 'ingest', 'indexer', 'exporter', 'cli', 'portal'];
const appImportBan = (except) =>
  apps
    .filter((app) => app !== except)
    .map((app) => ({
      group: [`**/apps/${app}/**`, `apps/${app}/**`],
      message: 'Apps never import each other.',
    }));

// One door to the record (docs/architecture.md): apps that serve people reach the data only through the
// ResourceStore their module configuration binds (the secured door), never through the plain store or raw SQL.
export const servesPeople = ['api', 'portal', 'exporter'];
export const plainDoor = [
  'FhirStore',
  'createFhirStore',
  'ResourceSearcher',
  'ResourceSourceReader',
  'ConsentQueries',
  'RestrictedPersonQueries',
  'SQL',
  'createSql',
  'MessageLedger',
  'OutboxRepository',
  // merges re-point records with no access checks: apps serving people use PatientMergeAdministration (libs/security)
  'PatientMergeService',
  'createPatientMergeService',
];
const plainDoorBan = {
  name: '@continuum/store',
  importNames: plainDoor,
  message:
    'Apps that serve people use ResourceStore (the secured door bound by SecurityModule), not the plain store.',
};
const deepStoreImportBan = {
  // the portal's launch ledger (a control table, not a door to the record) is the one deep entry allowed
  group: ['@continuum/store/*', '!@continuum/store/launch', '**/libs/store/**'],
  message: 'Import @continuum/store by its public entry only.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/apps/**', 'apps/**'], message: 'Libraries never import apps.' }] },
      ],
    },
  },
  {
    files: ['libs/fhir/**/*.ts', 'libs/governance/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/apps/**', 'apps/**'], message: 'Libraries never import apps.' },
            {
              group: [
                '@nestjs/*',
                'typeorm',
                'pg',
                'postgres',
                'kafkajs',
                '@elastic/*',
                '@continuum/store',
                '@continuum/messaging',
                '@continuum/search',
                '@continuum/config',
              ],
              message: 'libs/fhir and libs/governance are pure domain logic: no framework or infrastructure imports.',
            },
          ],
        },
      ],
    },
  },
  ...apps.map((app) => ({
    files: [`apps/${app}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        servesPeople.includes(app)
          ? { paths: [plainDoorBan], patterns: [...appImportBan(app), deepStoreImportBan] }
          : { patterns: appImportBan(app) },
      ],
    },
  })),
);
