import type { Coding } from 'fhir/r4';
import type { Problem } from '../operation-outcome';
import type { VisitedElement } from './element.walker';
import type { ValueSetExpansion, ValueSetRegistry } from './value-set.registry';

/**
 * Required bindings of the core spec (e.g. Patient.gender, Observation.status), which @medplum/core does not
 * check. Codes must come from the bound value set; a CodeableConcept needs at least one coding from it (or text
 * only). Value sets that cannot be expanded locally are left unchecked rather than guessed.
 */
export function checkRequiredBinding(
  element: VisitedElement,
  valueSets: ValueSetRegistry,
): Problem | undefined {
  const binding = element.definition.binding;
  if (binding?.strength !== 'required' || !binding.valueSet) return undefined;
  const expansion = valueSets.expand(binding.valueSet);
  if (!expansion) return undefined;
  const valueSetName = binding.valueSet.split('|')[0];
  const refuse = (shown: string): Problem => ({
    code: 'code-invalid',
    diagnostics: `${shown} is not in the required value set ${valueSetName}`,
    expression: [element.path],
  });

  switch (element.type) {
    case 'code':
    case 'string':
    case 'uri':
      if (typeof element.value === 'string' && !expansion.codes.has(element.value))
        return refuse(`'${element.value}'`);
      return undefined;
    case 'Coding': {
      const coding = element.value as Coding;
      return inValueSet(coding, expansion) ? undefined : refuse(describeCoding(coding));
    }
    case 'CodeableConcept': {
      const codings = (element.value as { coding?: Coding[] }).coding ?? [];
      if (codings.length === 0 || codings.some((coding) => inValueSet(coding, expansion))) return undefined;
      return refuse(codings.map(describeCoding).join(', '));
    }
    default:
      return undefined;
  }
}

function inValueSet(coding: Coding, expansion: ValueSetExpansion): boolean {
  if (coding.code === undefined) return true; // a coding with only a display says nothing to check
  if (!coding.system) return expansion.codes.has(coding.code);
  return expansion.systems.get(coding.system)?.has(coding.code) ?? false;
}

const describeCoding = (coding: Coding) => `'${coding.system ?? ''}|${coding.code ?? ''}'`;
