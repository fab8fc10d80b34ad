/**
 * Micro-benchmark of the identity matcher's hot path (libs/fhir/src/identity): prepare, blocking, and scoring of
 * candidate and random pairs, on the seeded synthetic population the matcher's tests use. Not a bench suite (no
 * infrastructure, no reference): a quick check that scoring stays at a few microseconds a pair.
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/identity-matcher.micro.ts [persons]
 *
 * Prints wall-clock and CPU rates: on a shared machine the CPU rate is the one to compare.
 */
import { candidatePairs, DEFAULT_MATCH_MODEL, matchWeight, prepare, score } from '@continuum/fhir';
import { syntheticPopulation } from '@continuum/fhir/identity/testing/synthetic-population';

function measure(label: string, units: string, count: number, run: () => void): void {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  run();
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const rate = (seconds: number) => Math.round(count / seconds).toLocaleString('en-GB');
  process.stdout.write(
    `${label.padEnd(34)} ${count.toLocaleString('en-GB').padStart(11)} ${units.padEnd(8)} ` +
      `${rate(wall).padStart(11)}/s wall  ${rate(cpuSeconds).padStart(11)}/s CPU  ` +
      `(${((cpuSeconds / count) * 1e6).toFixed(2)} µs CPU each)\n`,
  );
}

function main(persons: number): void {
  const population = syntheticPopulation({ persons, seed: 1, missingNhs: 0.5 });
  const n = population.records.length;
  process.stdout.write(`${persons.toLocaleString('en-GB')} people, ${n.toLocaleString('en-GB')} records\n`);
  let prepared = population.records.map(prepare); // warm-up
  measure('prepare', 'records', n, () => (prepared = population.records.map(prepare)));
  let pairs = candidatePairs(prepared);
  measure('candidatePairs (4 default rules)', 'records', n, () => (pairs = candidatePairs(prepared)));

  let sink = 0;
  const candidates = () => {
    for (let k = 0; k < pairs.count; k++)
      sink += matchWeight(prepared[pairs.left[k]], prepared[pairs.right[k]], DEFAULT_MATCH_MODEL);
  };
  candidates(); // warm-up
  const rounds = Math.max(1, Math.ceil(2_000_000 / pairs.count));
  measure('matchWeight, candidate pairs', 'pairs', pairs.count * rounds, () => {
    for (let round = 0; round < rounds; round++) candidates();
  });

  const random = 2_000_000;
  measure('matchWeight, random pairs', 'pairs', random, () => {
    for (let r = 0; r < random; r++)
      sink += matchWeight(prepared[(r * 7919) % n], prepared[(r * 104_729 + 13) % n], DEFAULT_MATCH_MODEL);
  });
  measure('score (explained), candidate pairs', 'pairs', pairs.count, () => {
    for (let k = 0; k < pairs.count; k++)
      sink += score(prepared[pairs.left[k]], prepared[pairs.right[k]], DEFAULT_MATCH_MODEL).weight;
  });
  measure('score (explained), random pairs', 'pairs', random / 4, () => {
    for (let r = 0; r < random / 4; r++)
      sink += score(prepared[(r * 7919) % n], prepared[(r * 104_729 + 13) % n], DEFAULT_MATCH_MODEL).weight;
  });
  if (Number.isNaN(sink)) process.stdout.write('unexpected NaN\n');
}

main(Number(process.argv[2] ?? 20_000));
