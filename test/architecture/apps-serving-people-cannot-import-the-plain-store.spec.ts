import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * One door to the record: an app that serves people (the API, the portal) cannot import the plain store, its
 * searcher or raw SQL; workers can. The lint rule is what keeps a new feature from taking the unchecked door.
 */
describe('apps that serve people cannot import the plain store', () => {
  const root = path.resolve(__dirname, '../..');
  const plainImports = [
    "import { FhirStore } from '@continuum/store';",
    "import { createFhirStore } from '@continuum/store';",
    "import { ResourceSearcher } from '@continuum/store';",
    "import { ResourceSourceReader } from '@continuum/store';",
    "import { SQL } from '@continuum/store';",
    "import { ConsentQueries } from '@continuum/store';",
    "import { PatientMergeService } from '@continuum/store';",
    "import { FhirStore } from '@continuum/store/fhir-store';",
  ];
  const door = "import { ResourceStore } from '@continuum/store';";
  const cases = [
    ...['api', 'portal', 'exporter'].flatMap((app) => plainImports.map((code) => ({ app, code }))),
    ...['api', 'portal', 'exporter'].map((app) => ({ app, code: door })),
    ...['ingest', 'indexer', 'cli'].map((app) => ({ app, code: plainImports[0] })),
  ];
  let restricted: number[];

  beforeAll(() => {
    // ESLint's flat config is an ES module, which Jest's VM cannot load: lint every case in one child process
    const script = `
      const { ESLint } = require('eslint');
      const path = require('node:path');
      (async () => {
        const eslint = new ESLint({ cwd: process.cwd() });
        const counts = [];
        for (const { app, code } of JSON.parse(process.argv[1])) {
          const name = code.match(/\\{ (\\w+) \\}/)[1];
          const [result] = await eslint.lintText(code + '\\nexport const used = [' + name + '];\\n', {
            filePath: path.join(process.cwd(), 'apps', app, 'src', 'new-feature.ts'),
          });
          counts.push(result.messages.filter((message) => message.ruleId === 'no-restricted-imports').length);
        }
        process.stdout.write(JSON.stringify(counts));
      })();`;
    restricted = JSON.parse(
      execFileSync(process.execPath, ['-e', script, JSON.stringify(cases)], { cwd: root, encoding: 'utf8' }),
    );
  }, 60_000);

  it.each(plainImports)('refuses `%s` in the API, the portal and the exporter', (code) => {
    for (const app of ['api', 'portal', 'exporter']) {
      const index = cases.findIndex((each) => each.app === app && each.code === code);
      expect({ app, restrictions: restricted[index] }).toEqual({ app, restrictions: 1 });
    }
  });

  it('lets them ask for the ResourceStore their module binds', () => {
    for (const app of ['api', 'portal', 'exporter'])
      expect(restricted[cases.findIndex((each) => each.app === app && each.code === door)]).toBe(0);
  });

  it('lets workers use the plain store', () => {
    expect(restricted.slice(-3)).toEqual([0, 0, 0]);
  });
});
