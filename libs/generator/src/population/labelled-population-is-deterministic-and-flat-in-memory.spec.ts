import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { generateLabelledPopulation } from './population.generator';

function digest(seed: string, persons: number): { hash: string; lines: string[] } {
  const hash = createHash('sha256');
  const lines: string[] = [];
  for (const record of generateLabelledPopulation({ seed, persons })) {
    const line = JSON.stringify(record);
    hash.update(line).update('\n');
    lines.push(line);
  }
  return { hash: hash.digest('hex'), lines };
}

describe('the labelled population', () => {
  it('is the same bytes for the same seed, and different for another seed', () => {
    const first = digest('determinism', 1_500);
    expect(digest('determinism', 1_500).hash).toBe(first.hash);
    expect(digest('determinism-2', 1_500).hash).not.toBe(first.hash);
    expect(first.lines.length).toBeGreaterThan(1_500);
  });

  it('is a prefix of a larger population of the same seed (only the last household can be cut short)', () => {
    const small = digest('prefix', 800).lines;
    const large = digest('prefix', 1_600).lines;
    const lastHousehold = (JSON.parse(small[small.length - 1]) as { householdId: string }).householdId;
    const whole = small.filter((l) => (JSON.parse(l) as { householdId: string }).householdId !== lastHousehold);
    expect(large.slice(0, whole.length)).toEqual(whole);
  });

  it('holds one household at a time: the heap does not grow with the number of persons', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let persons = 0;
    let baseline = 0;
    for (const record of generateLabelledPopulation({ seed: 'memory', persons: 20_000 })) {
      if (record.truthPersonId === 'P0002000' && baseline === 0) {
        gc();
        baseline = process.memoryUsage().heapUsed;
      }
      persons = Number(record.truthPersonId.slice(1)) + 1;
    }
    gc();
    const growth = process.memoryUsage().heapUsed - baseline;
    expect(persons).toBe(20_000);
    expect(baseline).toBeGreaterThan(0);
    expect(growth).toBeLessThan(8 * 1024 * 1024);
  }, 60_000);
});
