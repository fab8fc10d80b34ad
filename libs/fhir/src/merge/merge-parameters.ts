import type { Parameters, ParametersParameter, Patient } from 'fhir/r4';
import { badRequest, informational } from '../operation-outcome';
import { parseReference } from '../search/reference';

/** `Patient/$merge` input (the R5 operation's parameters Continuum takes, by reference). */
export interface MergeInput {
  sourcePatientId: string;
  targetPatientId: string;
  preview: boolean;
  reason?: string;
}

/** `Patient/$unmerge` input: the patient merged away. */
export interface UnmergeInput {
  sourcePatientId: string;
  reason?: string;
}

export function parseMergeParameters(body: unknown, baseUrl?: string): MergeInput {
  const parameters = asParameters(body, '$merge');
  const preview = find(parameters, 'preview');
  if (preview && typeof preview.valueBoolean !== 'boolean')
    throw badRequest("'preview' must be a valueBoolean", ['Parameters.parameter']);
  return {
    sourcePatientId: patientId(parameters, 'source-patient', baseUrl),
    targetPatientId: patientId(parameters, 'target-patient', baseUrl),
    preview: preview?.valueBoolean === true,
    ...reasonOf(parameters),
  };
}

export function parseUnmergeParameters(body: unknown, baseUrl?: string): UnmergeInput {
  const parameters = asParameters(body, '$unmerge');
  return { sourcePatientId: patientId(parameters, 'source-patient', baseUrl), ...reasonOf(parameters) };
}

/** What a merge (or its preview) answers: an outcome, the resulting Patients, the counts re-pointed per type. */
export function mergeOutputParameters(output: {
  preview: boolean;
  merged: Patient;
  surviving: Patient;
  counts: Record<string, number>;
  provenanceId?: string;
}): Parameters {
  const total = Object.values(output.counts).reduce((sum, count) => sum + count, 0);
  const what = `Patient/${output.merged.id} into Patient/${output.surviving.id}`;
  const diagnostics = output.preview
    ? `Preview of merging ${what}: ${total} resource(s) would be re-pointed; nothing was changed`
    : output.provenanceId
      ? `Merged ${what}: ${total} resource(s) re-pointed`
      : `${what}: already merged, nothing to change`;
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'outcome', resource: informational(diagnostics) },
      { name: 'result', resource: output.surviving },
      { name: 'source-result', resource: output.merged },
      {
        name: 'repointed',
        part: Object.entries(output.counts)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([resourceType, count]) => ({ name: resourceType, valueInteger: count })),
      },
      ...(output.provenanceId
        ? [{ name: 'provenance', valueReference: { reference: `Provenance/${output.provenanceId}` } }]
        : []),
    ],
  };
}

export function unmergeOutputParameters(output: {
  merged: Patient;
  surviving: Patient;
  restored: string[];
  provenanceId: string;
}): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      {
        name: 'outcome',
        resource: informational(
          `Unmerged Patient/${output.merged.id} from Patient/${output.surviving.id}: ${output.restored.length} resource(s) restored`,
        ),
      },
      { name: 'result', resource: output.merged },
      { name: 'target-result', resource: output.surviving },
      ...output.restored.map((reference) => ({ name: 'restored', valueReference: { reference } })),
      { name: 'provenance', valueReference: { reference: `Provenance/${output.provenanceId}` } },
    ],
  };
}

function asParameters(body: unknown, operation: string): Parameters {
  if (!body || typeof body !== 'object' || (body as { resourceType?: unknown }).resourceType !== 'Parameters')
    throw badRequest(`${operation} takes a Parameters resource`);
  return body as Parameters;
}

function find(parameters: Parameters, name: string): ParametersParameter | undefined {
  return parameters.parameter?.find((parameter) => parameter.name === name);
}

function patientId(parameters: Parameters, name: string, baseUrl: string | undefined): string {
  const reference = find(parameters, name)?.valueReference?.reference;
  const parsed = reference ? parseReference(reference, baseUrl) : undefined;
  if (!parsed || parsed.external || parsed.type !== 'Patient')
    throw badRequest(`'${name}' must be a valueReference to a Patient on this server`, [
      'Parameters.parameter',
    ]);
  return parsed.id;
}

function reasonOf(parameters: Parameters): { reason?: string } {
  const reason = find(parameters, 'reason')?.valueString?.trim();
  return reason ? { reason } : {};
}
