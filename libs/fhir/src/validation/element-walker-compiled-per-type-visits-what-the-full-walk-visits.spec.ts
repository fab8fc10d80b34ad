import * as fs from 'fs';
import * as path from 'path';
import { fixturePath } from '@continuum/testing/test-fixtures';
import { ElementWalker, type ElementFilter, type VisitedElement } from './element.walker';
import { ensureR4DefinitionsIndexed } from './fhir-definitions';

const wanted: ElementFilter = (definition, type) =>
  (definition.binding?.strength === 'required' && Boolean(definition.binding.valueSet)) ||
  type === 'Reference';

const visits = (walker: ElementWalker, resource: Record<string, unknown>, keep: ElementFilter) => {
  const seen: string[] = [];
  walker.walk(resource, (element: VisitedElement) => {
    if (keep(element.definition, element.type)) seen.push(`${element.path} ${element.type}`);
  });
  return seen;
};

describe('the element walker compiled per type', () => {
  beforeAll(() => ensureR4DefinitionsIndexed());
  const dirs = [fixturePath('fhir-r4-official-examples'), fixturePath('ukcore-examples')];
  const files = dirs.flatMap((dir) =>
    fs
      .readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => path.join(dir, file)),
  );

  it('visits exactly the wanted elements the full walk visits, over every official and UK Core example', () => {
    const pruned = new ElementWalker(wanted);
    const full = new ElementWalker();
    let compared = 0;
    for (const file of files) {
      const resource = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      if (typeof resource.resourceType !== 'string') continue;
      expect({ file, visits: visits(pruned, resource, () => true) }).toEqual({
        file,
        visits: visits(full, resource, wanted),
      });
      compared += 1;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('resolves choice elements by their typed names (valueQuantity, effectiveDateTime)', () => {
    const walker = new ElementWalker();
    const types = new Map<string, string>();
    walker.walk(
      {
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'weight' },
        valueQuantity: { value: 70, unit: 'kg' },
        effectiveDateTime: '2024-01-01',
        subject: { reference: 'Patient/1' },
      },
      (element) => types.set(element.path, element.type),
    );
    expect(types.get('Observation.valueQuantity')).toBe('Quantity');
    expect(types.get('Observation.effectiveDateTime')).toBe('dateTime');
    expect(types.get('Observation.subject')).toBe('Reference');
    expect(types.get('Observation.valueQuantity.unit')).toBe('string');
  });
});
