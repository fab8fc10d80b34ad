import { OperationOutcomeError, validateResource as medplumValidate } from '@medplum/core';
import type { OperationOutcomeIssue, Resource } from 'fhir/r4';
import { FhirError, operationOutcome, unprocessable, type Problem } from '../operation-outcome';
import { ElementWalker } from './element.walker';
import { ensureR4DefinitionsIndexed } from './fhir-definitions';
import { FHIR_ID } from './id-format';
import { checkReferenceFormat } from './reference-format.check';
import { checkRequiredBinding } from './terminology-binding.check';
import { ValueSetRegistry } from './value-set.registry';

export interface ValidationOptions {
  /** Largest accepted resource, in bytes of its JSON. */
  maxResourceBytes?: number;
}

export const DEFAULT_MAX_RESOURCE_BYTES = 4 * 1024 * 1024;

/** Warnings found in a valid resource (errors are thrown). */
export interface ValidationReport {
  warnings: Problem[];
}

let valueSets: ValueSetRegistry | undefined;

/**
 * Loads what validation reads on first use (the R4 StructureDefinitions and value sets: megabytes of JSON, one to
 * several seconds of CPU), so an app can pay it while it starts instead of in its first request or message.
 */
export function preloadValidation(): void {
  ensureR4DefinitionsIndexed();
  valueSets ??= ValueSetRegistry.fromR4Definitions();
}

/** The elements our own checks look at: required bindings and references (the walk skips subtrees without any). */
const checkedElements = new ElementWalker(
  (definition, type) =>
    (definition.binding?.strength === 'required' && Boolean(definition.binding.valueSet)) ||
    type === 'Reference',
);

/**
 * Checks a resource against the R4 base definitions and returns every problem with its FHIRPath location:
 * structure, data types, formats, cardinalities and unknown elements (@medplum/core), plus what medplum leaves
 * out: required terminology bindings, id format, reference format and size.
 */
export function findProblems(resource: unknown, options: ValidationOptions = {}): Problem[] {
  if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) {
    return [{ code: 'structure', diagnostics: 'A resource must be a JSON object' }];
  }
  const object = resource as Record<string, unknown>;
  const problems: Problem[] = [];
  const maxBytes = options.maxResourceBytes ?? DEFAULT_MAX_RESOURCE_BYTES;
  const bytes = Buffer.byteLength(JSON.stringify(resource), 'utf8');
  if (bytes > maxBytes) {
    // checking a huge resource element by element is the cost the limit exists to avoid
    return [{ code: 'too-long', diagnostics: `Resource is ${bytes} bytes; the limit is ${maxBytes}` }];
  }

  problems.push(...medplumProblems(object as unknown as Resource));
  const type = typeof object.resourceType === 'string' ? object.resourceType : 'Resource';
  problems.push(...idProblems(object, type));
  problems.push(
    ...((object.contained as unknown[] | undefined) ?? []).flatMap((contained, index) =>
      contained && typeof contained === 'object'
        ? idProblems(contained as Record<string, unknown>, `${type}.contained[${index}]`)
        : [],
    ),
  );

  valueSets ??= ValueSetRegistry.fromR4Definitions();
  const registry = valueSets;
  const containedIds = new Set(
    ((object.contained as { id?: unknown }[] | undefined) ?? [])
      .map((contained) => contained?.id)
      .filter((id): id is string => typeof id === 'string'),
  );
  checkedElements.walk(object, (element) => {
    const binding = checkRequiredBinding(element, registry);
    if (binding) problems.push(binding);
    const reference = checkReferenceFormat(element, containedIds);
    if (reference) problems.push(reference);
  });
  return problems;
}

/** Throws FhirError 422 listing every error; returns the warnings otherwise. */
export function assertValidResource(resource: unknown, options: ValidationOptions = {}): ValidationReport {
  const problems = findProblems(resource, options);
  const errors = problems.filter(
    (problem) => (problem.severity ?? 'error') === 'error' || problem.severity === 'fatal',
  );
  if (errors.length > 0) throw unprocessable(errors);
  return {
    warnings: problems.filter(
      (problem) => problem.severity === 'warning' || problem.severity === 'information',
    ),
  };
}

/** Parses a request body; unparsable JSON (or not an object) is a 400, not a 422. */
export function parseResourceJson(body: string | Buffer): Resource {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (error) {
    throw new FhirError(
      400,
      operationOutcome([
        { code: 'structure', diagnostics: `Body is not valid JSON: ${(error as Error).message}` },
      ]),
    );
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    Array.isArray(parsed) ||
    typeof (parsed as { resourceType?: unknown }).resourceType !== 'string'
  ) {
    throw new FhirError(
      400,
      operationOutcome([
        { code: 'structure', diagnostics: 'Body is not a FHIR resource (a JSON object with resourceType)' },
      ]),
    );
  }
  return parsed as Resource;
}

function medplumProblems(resource: Resource): Problem[] {
  ensureR4DefinitionsIndexed();
  try {
    return medplumValidate(resource).map(toProblem);
  } catch (error) {
    if (error instanceof OperationOutcomeError) return (error.outcome.issue ?? []).map(toProblem);
    return [
      { code: 'structure', diagnostics: `Resource could not be validated: ${(error as Error).message}` },
    ];
  }
}

function toProblem(issue: OperationOutcomeIssue): Problem {
  const text = issue.details?.text ?? issue.diagnostics ?? issue.code;
  // medplum puts the failing FHIRPath invariant in diagnostics as JSON; keep it readable
  const diagnostics = issue.diagnostics && issue.details?.text ? `${text} (${issue.diagnostics})` : text;
  return { code: issue.code, severity: issue.severity, diagnostics, expression: issue.expression };
}

function idProblems(resource: Record<string, unknown>, path: string): Problem[] {
  const id = resource.id;
  if (id === undefined || (typeof id === 'string' && FHIR_ID.test(id))) return [];
  return [
    {
      code: 'value',
      diagnostics: `Invalid id ${JSON.stringify(id)}: 1-64 characters of A-Z a-z 0-9 - .`,
      expression: [`${path}.id`],
    },
  ];
}
