/**
 * Micro-benchmark of resource validation per resource (libs/fhir/src/validation, `findProblems`), and of its parts:
 * the size check, @medplum/core's structural validation (with its FHIRPath invariants) and our walk for required
 * bindings and reference formats. On the generator's community (the mix the ingest app sees). No infrastructure.
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/validation.micro.ts [resources]
 *
 * Prints wall-clock and CPU time per resource: on a shared machine the CPU figure is the one to compare.
 */
import { validateResource } from '@medplum/core';
import type { Resource } from 'fhir/r4';
import { findProblems } from '@continuum/fhir';
import { ElementWalker } from '@continuum/fhir/validation/element.walker';
import { communityLines } from './measure/community-data';

function measure(label: string, resources: Resource[], run: (resource: Resource) => unknown): void {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (const resource of resources) run(resource);
  const wallUs = Number(process.hrtime.bigint() - started) / 1e3;
  const used = process.cpuUsage(cpu);
  const each = (us: number) => (us / resources.length).toFixed(1).padStart(8);
  process.stdout.write(
    `${label.padEnd(40)} ${each(wallUs)} µs wall  ${each(used.user + used.system)} µs CPU per resource\n`,
  );
}

function main(count: number): void {
  const resources = [...communityLines('bench-validation', count)].map(
    (line) => JSON.parse(line) as Resource,
  );
  const types = new Set(resources.map((resource) => resource.resourceType));
  process.stdout.write(`${resources.length.toLocaleString('en-GB')} resources of ${types.size} types\n`);
  resources.slice(0, 2_000).forEach((resource) => findProblems(resource)); // warm-up (definitions, JIT)
  measure('findProblems (all of validation)', resources, (resource) => findProblems(resource));
  measure('  size check (JSON.stringify)', resources, (resource) => JSON.stringify(resource).length);
  measure('  @medplum/core validateResource', resources, (resource) => {
    try {
      return validateResource(resource);
    } catch (error) {
      return error;
    }
  });
  const every = new ElementWalker();
  const checked = new ElementWalker(
    (definition, type) =>
      (definition.binding?.strength === 'required' && Boolean(definition.binding.valueSet)) ||
      type === 'Reference',
  );
  const walk = (walker: ElementWalker) => (resource: Resource) =>
    walker.walk(resource as unknown as Record<string, unknown>, () => undefined);
  resources.slice(0, 2_000).forEach(walk(every));
  resources.slice(0, 2_000).forEach(walk(checked));
  measure('  walk, every element', resources, walk(every));
  measure('  walk, checked elements (as validation)', resources, walk(checked));
}

main(Number(process.argv[2] ?? 20_000));
