import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * TypeORM serves the schema (migrations, the drift check) and control tables; the hot FHIR paths run on
 * postgres.js. Apps that use no control table must not load it at run time: its 350 modules cost start-up time
 * and memory in every replica.
 */
describe('apps with no control tables load no TypeORM at run time', () => {
  const root = path.resolve(__dirname, '../..');

  // ingest links identities and the API serves them ($match, identity administration through
  // @continuum/security/identity): both use IdentityStoreModule's control tables, so they are not in this list
  it.each(['indexer/src/indexer.module', 'exporter/src/exporter.module'])(
    '%s',
    (module) => {
      const script = `
        require('./apps/${module}');
        const loaded = Object.keys(require.cache).filter((file) => /node_modules\\/(@nestjs\\/)?typeorm\\//.test(file));
        process.stdout.write(JSON.stringify(loaded.map((file) => path.relative(process.cwd(), file))));`;
      const loaded = JSON.parse(
        execFileSync(
          process.execPath,
          [
            '-r',
            'ts-node/register/transpile-only',
            '-r',
            'tsconfig-paths/register',
            '-e',
            `const path = require('node:path');${script}`,
          ],
          { cwd: root, encoding: 'utf8' },
        ),
      );
      expect(loaded).toEqual([]);
    },
    60_000,
  );
});
