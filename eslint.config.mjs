// Lint rules, including the architecture boundaries from STYLE.md:
// libraries never import apps, apps never import each other, and libs/fhir imports no infrastructure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const apps = ['api', 'ingest', 'indexer', 'cli'];
const appImportBan = (except) =>
  apps
    .filter((app) => app !== except)
    .map((app) => ({ group: [`**/apps/${app}/**`, `apps/${app}/**`], message: 'Apps never import each other.' }));

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
    files: ['libs/fhir/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/apps/**', 'apps/**'], message: 'Libraries never import apps.' },
            {
              group: ['@nestjs/*', 'typeorm', 'pg', 'postgres', 'kafkajs', '@elastic/*', '@continuum/store', '@continuum/messaging', '@continuum/search', '@continuum/config'],
              message: 'libs/fhir is pure domain logic: no framework or infrastructure imports.',
            },
          ],
        },
      ],
    },
  },
  ...apps.map((app) => ({
    files: [`apps/${app}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: appImportBan(app) }] },
  })),
);
