import { canonicalJson, chainHash, GENESIS_HASH } from './audit-chain';

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
