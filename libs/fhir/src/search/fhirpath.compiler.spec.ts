import type { Resource } from 'fhir/r4';
import { compileExpression } from './fhirpath.compiler';
import { evaluate, evaluateNodes, evaluateOn, type PathValue } from './fhirpath.evaluator';
import { extractionPlan } from './index-rows.extractor';
import { resourceTypes, searchParametersOf } from './search-parameter.registry';
import { extractionCorners } from './testing/extraction-corners';
import { officialExamples, syntheaBundleFiles, syntheaResources, ukcoreExamples } from './testing/test-data';

function coverage(): { compiled: number; fhirpath: string[]; byType: Record<string, [number, number]> } {
  const byType: Record<string, [number, number]> = {};
  const fhirpath: string[] = [];
  let compiled = 0;
  for (const type of resourceTypes()) {
    const plan = extractionPlan(type);
    byType[type] = [plan.compiled.length, plan.fhirpath.length];
    compiled += plan.compiled.length;
    fhirpath.push(...plan.fhirpath.map((code) => `${type}.${code}`));
  }
  return { compiled, fhirpath, byType };
}

/** Values as the normalisers see them, each distinct one once (FHIRPath unions keep one of equal values). */
const distinct = (values: PathValue[]) => [...new Set(values.map((value) => JSON.stringify(value)))];

describe('compiled search parameter expressions', () => {
  it('cover every indexed R4 parameter but one, which FHIRPath evaluates', () => {
    const { compiled, fhirpath, byType } = coverage();
    // `Patient.deceased.exists() and Patient.deceased != false` (a boolean computed from a choice) is the only
    // expression outside the compiled grammar; a parameter dropping out of it shows here.
    expect(fhirpath).toEqual(['Patient.deceased']);
    expect(compiled).toBe(2272);
    expect(Object.keys(byType)).toHaveLength(145);
    // [compiled, FHIRPath] per type, for the types a shared care record holds most of.
    expect({
      Patient: byType.Patient,
      Observation: byType.Observation,
      Encounter: byType.Encounter,
      Condition: byType.Condition,
      MedicationRequest: byType.MedicationRequest,
      Appointment: byType.Appointment,
      DiagnosticReport: byType.DiagnosticReport,
      Immunization: byType.Immunization,
      Practitioner: byType.Practitioner,
      Organization: byType.Organization,
    }).toEqual({
      Patient: [26, 1],
      Observation: [42, 0],
      Encounter: [27, 0],
      Condition: [25, 0],
      MedicationRequest: [20, 0],
      Appointment: [21, 0],
      DiagnosticReport: [20, 0],
      Immunization: [20, 0],
      Practitioner: [21, 0],
      Organization: [17, 0],
    });
  });

  it('evaluate every parameter to the typed values fhirpath.js gives, on the official, UK Core and Synthea data', () => {
    const resources: Resource[] = [
      ...officialExamples(),
      ...ukcoreExamples(),
      ...syntheaBundleFiles().flatMap((file) => syntheaResources(file)),
      ...extractionCorners.filter((resource) => resource.id !== 'comparator-in-union'),
    ];
    const mismatches: string[] = [];
    let compared = 0;
    for (const resource of resources) {
      for (const param of searchParametersOf(resource.resourceType).values()) {
        if (!param.expression || !compileExpression(param.expression)) continue;
        const same = (compiled: PathValue[], fhirpath: PathValue[]) =>
          JSON.stringify(distinct(compiled)) === JSON.stringify(distinct(fhirpath));
        if (
          !same(
            evaluate(param.expression, resource),
            evaluate(param.expression, resource, { compiled: false }),
          )
        )
          mismatches.push(`${resource.resourceType}/${resource.id} ${param.code}`);
        compared++;
        for (const root of param.components.length ? evaluateNodes(param.expression, resource) : [])
          for (const { expression } of param.components) {
            const on = (compiled: boolean) =>
              evaluateOn(expression, root.path, root.value, resource, { compiled });
            if (!same(on(true), on(false)))
              mismatches.push(`${resource.resourceType}/${resource.id} ${param.code} ${expression}`);
          }
      }
    }
    expect(compared).toBeGreaterThan(14_000);
    expect(mismatches).toEqual([]);
  });

  it('keep `where(resolve() is T)` as the rewriting made it: a reference naming T, or typed T', () => {
    const encounter = extractionCorners.find((resource) => resource.id === 'participants')!;
    const practitioners = evaluate(
      searchParametersOf('Encounter').get('practitioner')!.expression!,
      encounter,
    );
    expect(practitioners.map((value) => value.value)).toEqual([
      { type: 'Practitioner' },
      { reference: 'Practitioner/1/_history/2' },
      { reference: 'Practitioner/1', type: 'RelatedPerson' }, // the reference names a Practitioner
    ]);
    // `https://example.org/a\nb/Patient/p1` names a Patient: fhirpath.js runs `matches` with `.` crossing lines.
    expect(evaluate(searchParametersOf('Encounter').get('patient')!.expression!, encounter)).toHaveLength(1);
  });

  it('hand back to fhirpath.js what they cannot answer exactly', () => {
    const observation = (id: string) => extractionCorners.find((resource) => resource.id === id)!;
    const comboValue = compileExpression(
      searchParametersOf('Observation').get('combo-value-quantity')!.expression!,
    )!;
    expect(comboValue.onResource(observation('equal-quantities'))).toBeUndefined(); // 1000 mg = 1 g
    expect(comboValue.onResource(observation('rounded-decimals'))).toBeUndefined(); // equal at 8 places
    expect(comboValue.onResource(observation('choices'))).toEqual([]); // no quantity at all: answered
    const code = compileExpression('Observation.code.coding')!;
    expect(code.onResource(observation('malformed'))).toBeUndefined(); // a string where an object belongs
    expect(compileExpression('Patient.deceased.exists() and Patient.deceased != false')).toBeUndefined();
    expect(compileExpression('Patient.name.where(given.exists())')).toBeUndefined();
    expect(compileExpression('Patient.name.ofType(NoSuchType)')).toBeUndefined();
  });
});
