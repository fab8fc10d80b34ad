import { badRequest, FhirError, parseSearchRequest } from '@continuum/fhir';
import type { ResourceStore } from '@continuum/store';
import type { Identifier, Parameters, ParametersParameter, Patient } from 'fhir/r4';

/** The query of `Patient/$ihe-pix` (IHE ITI-83, PIXm). */
export interface CrossReferenceQuery {
  source: { system: string; value: string };
  /** The identifier domains asked for; none: every domain. */
  targetSystems: string[];
}

const MAX_RECORDS = 100;
const ALLOWED = new Set(['sourceIdentifier', 'targetSystem', '_format', '_pretty']);

/** Reads `sourceIdentifier=system|value` (once, both parts) and `targetSystem` (repeated or comma-separated). */
export function parseCrossReferenceQuery(params: readonly [string, string][]): CrossReferenceQuery {
  const unknown = params.map(([name]) => name).filter((name) => !ALLOWED.has(name));
  if (unknown.length) throw badRequest(`Unknown $ihe-pix parameter(s): ${[...new Set(unknown)].join(', ')}`);
  const sources = params.filter(([name]) => name === 'sourceIdentifier').map(([, value]) => value);
  if (sources.length !== 1)
    throw badRequest('$ihe-pix needs exactly one sourceIdentifier (system|value)', ['sourceIdentifier']);
  const bar = sources[0].indexOf('|');
  const system = bar < 0 ? '' : sources[0].slice(0, bar).trim();
  const value = bar < 0 ? '' : sources[0].slice(bar + 1).trim();
  if (!system || !value)
    throw badRequest(
      `sourceIdentifier '${sources[0]}' must be system|value, both given (e.g. https://fhir.nhs.uk/Id/nhs-number|9434765919)`,
      ['sourceIdentifier'],
    );
  const targetSystems = params
    .filter(([name]) => name === 'targetSystem')
    .flatMap(([, list]) => list.split(','))
    .map((target) => target.trim())
    .filter(Boolean);
  return { source: { system, value }, targetSystems: [...new Set(targetSystems)] };
}

/**
 * PIXm (IHE ITI-83): the other identifiers of the person a source identifier names, across the source records the
 * master patient index links to it. Everything is read through the caller's door (scopes, compartment, consent,
 * audit), so a caller learns only identifiers of records it may see. Errors as the profile gives them: an unknown
 * source domain 400, an unknown source identifier 404, an unknown target domain 403 (each `code-invalid` or
 * `not-found`).
 */
export class PatientIdentifierCrossReference {
  constructor(private readonly store: ResourceStore) {}

  async crossReference(query: CrossReferenceQuery, baseUrl: string): Promise<Parameters> {
    const { system, value } = query.source;
    const sources = await this.patients(
      [['identifier', `${escapeToken(system)}|${escapeToken(value)}`]],
      baseUrl,
    );
    if (!sources.length) {
      if (!(await this.knownDomain(system, baseUrl)))
        throw FhirError.of(400, 'code-invalid', `sourceIdentifier Assigning Authority not found: ${system}`, [
          'sourceIdentifier',
        ]);
      throw FhirError.of(
        404,
        'not-found',
        `sourceIdentifier Patient Identifier not found: ${system}|${value}`,
        ['sourceIdentifier'],
      );
    }
    for (const target of query.targetSystems)
      if (!(await this.knownDomain(target, baseUrl)))
        throw FhirError.of(403, 'code-invalid', `targetSystem not found: ${target}`, ['targetSystem']);
    const personIds = new Set<string>();
    for (const source of sources) for (const id of await this.store.personOf(source.id!)) personIds.add(id);
    const records = await this.patients([['_id', [...personIds].slice(0, MAX_RECORDS).join(',')]], baseUrl);
    const wanted = (identifier: Identifier) =>
      identifier.system !== undefined &&
      identifier.value !== undefined &&
      !(identifier.system === system && identifier.value === value) &&
      (!query.targetSystems.length || query.targetSystems.includes(identifier.system));
    const seen = new Set<string>();
    const identifiers: ParametersParameter[] = records
      .flatMap((record) => record.identifier ?? [])
      .filter(wanted)
      .filter((identifier) => {
        const key = `${identifier.system}|${identifier.value}`;
        return !seen.has(key) && Boolean(seen.add(key));
      })
      .map((identifier) => ({
        name: 'targetIdentifier',
        valueIdentifier: {
          ...(identifier.use ? { use: identifier.use } : {}),
          system: identifier.system,
          value: identifier.value,
        },
      }));
    // targetId: the person's Patient records, when every domain is asked for (the profile's rule)
    const references: ParametersParameter[] = query.targetSystems.length
      ? []
      : records
          .map((record) => record.id!)
          .sort()
          .map((id) => ({ name: 'targetId', valueReference: { reference: `Patient/${id}` } }));
    return { resourceType: 'Parameters', parameter: [...identifiers, ...references] };
  }

  /** An identifier domain some stored Patient the caller may see uses. */
  private async knownDomain(system: string, baseUrl: string): Promise<boolean> {
    return (await this.patients([['identifier', `${escapeToken(system)}|`]], baseUrl, 1)).length > 0;
  }

  private async patients(
    params: [string, string][],
    baseUrl: string,
    count = MAX_RECORDS,
  ): Promise<Patient[]> {
    const request = parseSearchRequest('Patient', [...params, ['_count', String(count)]], {
      baseUrl,
      strict: true,
    });
    return (await this.store.search(request, { baseUrl })).matches.map((found) => found.content as Patient);
  }
}

/** A search value's special characters (`\`, `,`, `|`, `$`) escaped, as FHIR search requires. */
function escapeToken(text: string): string {
  return text.replace(/[\\,|$]/g, (character) => `\\${character}`);
}
