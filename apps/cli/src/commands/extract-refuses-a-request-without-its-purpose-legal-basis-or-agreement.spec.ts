import { buildProgram } from '../program';

// The refusal comes before any connection is opened: a request that does not say why is never run.
describe('extract', () => {
  const run = (...args: string[]) =>
    buildProgram()
      .exitOverride()
      .parseAsync(['node', 'continuum', 'extract', ...args]);

  it('refuses a request without purpose, legal basis and agreement, naming every gap', async () => {
    await expect(
      run(
        'community-contacts',
        '--period',
        '2026-10',
        '--requester',
        'analyst',
        '--recipient',
        'icb-bi',
        '--out',
        '/tmp/x',
      ),
    ).rejects.toThrow(
      /the extract request is refused:\n {2}- legalBasis is required\n {2}- dataSharingAgreement is required\n {2}- purpose must be one of/,
    );
  });

  it('refuses an unknown pack and an anonymised exemption for a person-level extract', async () => {
    await expect(
      run(
        'hospital-everything',
        '--period',
        '2026-10',
        '--recipient',
        'icb-bi',
        '--purpose',
        'HOPERAT',
        '--legal-basis',
        's.251',
        '--agreement',
        'DSA-1',
        '--exemption',
        'anonymised:DPIA-7',
        '--out',
        '/tmp/x',
      ),
    ).rejects.toThrow(/unknown pack 'hospital-everything'[\s\S]*only for aggregate outputs/);
  });
});
