import { sourceScopedId } from './source-scoped-id';

describe('sourceScopedId', () => {
  it('is a deterministic RFC 4122 version 5 UUID', () => {
    const id = sourceScopedId('RXX:PAS', 'Patient', 'H123456');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sourceScopedId('RXX:PAS', 'Patient', 'H123456')).toBe(id);
  });

  it('differs by source system, resource type and key', () => {
    const ids = new Set([
      sourceScopedId('RXX:PAS', 'Patient', '1'),
      sourceScopedId('Y12345:EMIS-Web', 'Patient', '1'),
      sourceScopedId('RXX:PAS', 'Encounter', '1'),
      sourceScopedId('RXX:PAS', 'Patient', '2'),
    ]);
    expect(ids.size).toBe(4);
  });
});
