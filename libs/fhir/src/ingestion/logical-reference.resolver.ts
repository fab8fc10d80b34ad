import type { Identifier, Reference, Resource } from 'fhir/r4';

export interface LogicalTarget {
  type: string;
  system: string;
  value: string;
}

const keyOf = ({ type, system, value }: LogicalTarget) => `${type}|${system}|${value}`;

/** Every identifier of the given resources, as the logical targets they answer to, with their ids. */
export function identifierIndex(resources: Resource[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const resource of resources) {
    const identifiers = (resource as { identifier?: Identifier | Identifier[] }).identifier;
    for (const identifier of Array.isArray(identifiers) ? identifiers : identifiers ? [identifiers] : []) {
      if (identifier.system && identifier.value && resource.id) {
        index.set(
          keyOf({ type: resource.resourceType, system: identifier.system, value: identifier.value }),
          resource.id,
        );
      }
    }
  }
  return index;
}

/** The logical references (type + identifier, no literal reference) in these resources. */
export function logicalTargets(resources: Resource[]): LogicalTarget[] {
  const targets = new Map<string, LogicalTarget>();
  forEachLogicalReference(resources, (reference, target) => targets.set(keyOf(target), target));
  return [...targets.values()];
}

/**
 * Gives logical references a literal `Type/id` where the target is known (in the same batch, or already stored),
 * keeping the identifier. An unknown target stays a logical reference: valid FHIR, and still searchable.
 */
export function resolveLogicalReferences(resources: Resource[], known: Map<string, string>): number {
  let resolved = 0;
  forEachLogicalReference(resources, (reference, target) => {
    const id = known.get(keyOf(target));
    if (id) {
      reference.reference = `${target.type}/${id}`;
      resolved += 1;
    }
  });
  return resolved;
}

export function logicalTargetKey(target: LogicalTarget): string {
  return keyOf(target);
}

function forEachLogicalReference(
  resources: Resource[],
  visit: (reference: Reference, target: LogicalTarget) => void,
): void {
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const candidate = node as Reference;
    if (
      !candidate.reference &&
      candidate.type &&
      candidate.identifier?.system &&
      candidate.identifier.value
    ) {
      visit(candidate, {
        type: candidate.type,
        system: candidate.identifier.system,
        value: candidate.identifier.value,
      });
    }
    Object.values(node).forEach(walk);
  };
  resources.forEach(walk);
}
