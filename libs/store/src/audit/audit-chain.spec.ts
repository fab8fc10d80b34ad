import { canonicalJson, canonicalTimestamp, chainHash, GENESIS_HASH, rowHash } from './audit-chain';

describe('audit hash chain', () => {
  it('canonical JSON ignores key order and undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe(
      canonicalJson({ a: { d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
    expect(canonicalJson({ a: 'é', b: null })).toBe('{"a":"é","b":null}');
  });

  it('a link depends on the position, the previous hash and every value of the content', () => {
    const content = { resourceType: 'AuditEvent', outcome: '0' };
    const hash = chainHash('1', GENESIS_HASH, content);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash('1', GENESIS_HASH, { outcome: '0', resourceType: 'AuditEvent' })).toBe(hash);
    expect(chainHash('2', GENESIS_HASH, content)).not.toBe(hash);
    expect(chainHash('1', hash, content)).not.toBe(hash);
    expect(chainHash('1', GENESIS_HASH, { ...content, outcome: '4' })).not.toBe(hash);
  });
});

describe('audit row hash (chain version 2)', () => {
  const row = {
    seq: '7',
    id: 'ae-1',
    recorded: canonicalTimestamp('2026-01-02T03:04:05.123Z'),
    patientIds: ['p1'],
    agent: 'dr-1',
    subtype: 'read',
    outcome: '0',
    content: { resourceType: 'AuditEvent', outcome: '0' },
    prevHash: GENESIS_HASH,
    chainVersion: 2,
  };

  it('canonical timestamps are UTC with microseconds, as Postgres prints them', () => {
    expect(row.recorded).toBe('2026-01-02T03:04:05.123000Z');
    expect(canonicalTimestamp('2026-01-02T04:04:05.123+01:00')).toBe(row.recorded);
    expect(() => canonicalTimestamp('yesterday')).toThrow(/not a timestamp/);
  });

  it('depends on every column', () => {
    const hash = rowHash(row);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const changes: Partial<typeof row>[] = [
      { seq: '8' },
      { id: 'ae-2' },
      { recorded: canonicalTimestamp('2026-01-02T03:04:05.124Z') },
      { patientIds: [] },
      { patientIds: ['p1', 'p2'] },
      { agent: null as unknown as string },
      { subtype: 'vread' },
      { outcome: '4' },
      { content: { resourceType: 'AuditEvent', outcome: '4' } },
      { prevHash: 'f'.repeat(64) },
      { chainVersion: 1 },
    ];
    for (const change of changes) expect(rowHash({ ...row, ...change })).not.toBe(hash);
    expect(rowHash({ ...row, content: { outcome: '0', resourceType: 'AuditEvent' } })).toBe(hash);
  });
});
