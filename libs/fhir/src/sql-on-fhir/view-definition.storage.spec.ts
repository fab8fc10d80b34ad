import { ViewDefinitionError } from './view-definition.error';
import {
  canonicalReference,
  pickViewVersion,
  viewDefinitionAsBasic,
  viewDefinitionOf,
} from './view-definition.storage';
import type { ViewDefinition } from './view-definition.types';

const view = (version: string, status = 'active'): ViewDefinition => ({
  resourceType: 'ViewDefinition',
  url: 'https://example.org/views/patients',
  version,
  status,
  resource: 'Patient',
  select: [{ column: [{ name: 'id', path: 'id' }] }],
});

describe('a ViewDefinition stored as a Basic', () => {
  it('round-trips, and is found by its canonical url as an identifier', () => {
    const basic = viewDefinitionAsBasic(view('1.0.0'), 'b1');
    expect(basic.identifier).toEqual([
      { system: 'urn:ietf:rfc:3986', value: 'https://example.org/views/patients' },
    ]);
    expect(viewDefinitionOf(basic)).toEqual({ ...view('1.0.0'), id: 'b1' });
    expect(viewDefinitionOf({ resourceType: 'Basic', code: { text: 'other' } })).toBeUndefined();
  });

  it('is refused before it is stored when the view is invalid', () => {
    expect(() =>
      viewDefinitionAsBasic({ ...view('1'), select: [{ column: [{ name: 'a b', path: 'id' }] }] }),
    ).toThrow(ViewDefinitionError);
  });

  it('resolves url|version, and a bare url to the highest active version', () => {
    expect(canonicalReference('https://x/v|2')).toEqual({ url: 'https://x/v', version: '2' });
    const views = [view('1.9.0'), view('1.10.0'), view('2.0.0', 'draft')];
    expect(pickViewVersion(views)?.version).toBe('1.10.0');
    expect(pickViewVersion(views, '2.0.0')?.version).toBe('2.0.0');
    expect(pickViewVersion(views, '3')).toBeUndefined();
  });
});
