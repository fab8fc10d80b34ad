import {
  expressionForType,
  rewriteAs,
  rewriteResolveIs,
  rootElements,
  splitUnion,
} from './fhirpath-expression';

describe('search parameter expressions', () => {
  it('splits unions at the top level only', () => {
    expect(splitUnion("(A.value as Quantity) | A.x.where(system='a|b') | B.y")).toEqual([
      '(A.value as Quantity)',
      "A.x.where(system='a|b')",
      'B.y',
    ]);
  });

  it('keeps the terms of one type and renames Resource roots', () => {
    const shared =
      'AllergyIntolerance.code | AllergyIntolerance.reaction.substance | Condition.code | Observation.code';
    expect(expressionForType(shared, 'Condition')).toBe('Condition.code');
    expect(expressionForType(shared, 'Patient')).toBeUndefined();
    expect(expressionForType('Resource.meta.tag', 'Patient')).toBe('Patient.meta.tag');
  });

  it('replaces resolve() type tests and as-casts with what fhirpath.js evaluates synchronously on collections', () => {
    expect(rewriteResolveIs('Observation.subject.where(resolve() is Patient)')).toBe(
      "Observation.subject.where(reference.matches('^(.*/)?Patient/[^/]+(/_history/.*)?$') or type = 'Patient')",
    );
    expect(rewriteAs('(Observation.component.value as Quantity)')).toBe(
      'Observation.component.value.ofType(Quantity)',
    );
    expect(rewriteAs('value.as(DateTime) | value.as(Period)')).toBe(
      'value.ofType(dateTime) | value.ofType(Period)',
    );
  });

  it('finds the top-level elements an expression reads', () => {
    expect(
      rootElements('Observation.value.ofType(Quantity) | Observation.component.value', 'Observation'),
    ).toEqual(['value', 'component']);
    expect(rootElements('Observation | Observation.component', 'Observation')).toBeUndefined();
  });
});
