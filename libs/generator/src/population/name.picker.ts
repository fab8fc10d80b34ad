import type { Sex } from '../data/code-tables';
import { populationTables, type NameEra, type OriginTable } from '../data/population-tables';
import type { Random } from '../random/random';
import { NAME_ORIGINS, type NameOrigin } from './population.model';

/** Names in frequency order, weighted 1/rank^zipf, picked by binary search over the cumulative weights. */
class RankedNames {
  private readonly cumulative: Float64Array;

  constructor(
    readonly names: readonly string[],
    zipf: number,
  ) {
    this.cumulative = new Float64Array(names.length);
    let total = 0;
    names.forEach((_, i) => {
      total += 1 / (i + 1) ** zipf;
      this.cumulative[i] = total;
    });
  }

  pick(rng: Random): string {
    const target = rng.next() * this.cumulative[this.cumulative.length - 1];
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return this.names[lo];
  }
}

interface OriginNames {
  table: OriginTable;
  eras: Array<{ born: number; male: RankedNames; female: RankedNames }>;
  surnames: RankedNames;
}

const ORIGIN_SHARES = NAME_ORIGINS.map((origin) => ({ value: origin, weight: populationTables.origins[origin].share }));

/**
 * Draws names the way a UK population carries them: an origin by its share, given names by era of birth and sex,
 * surnames with their frequency skew (and a long tail of composed English place-name surnames), feminine surname
 * forms, and the surnames some communities give women (Begum, Kaur).
 */
export class NamePicker {
  private readonly origins: Record<NameOrigin, OriginNames>;

  constructor() {
    this.origins = Object.fromEntries(
      NAME_ORIGINS.map((origin) => {
        const table = populationTables.origins[origin];
        const eras = table.eras.map((era: NameEra) => ({
          born: era.born,
          male: new RankedNames(era.male, table.zipf.given),
          female: new RankedNames(era.female, table.zipf.given),
        }));
        return [origin, { table, eras, surnames: new RankedNames(table.surnames, table.zipf.surname) }];
      }),
    ) as Record<NameOrigin, OriginNames>;
  }

  origin(rng: Random): NameOrigin {
    return rng.weighted(ORIGIN_SHARES);
  }

  table(origin: NameOrigin): OriginTable {
    return this.origins[origin].table;
  }

  /** A given name for the era of birth, different from every name in `avoid` (siblings, the person's other name). */
  given(origin: NameOrigin, sex: Sex, birthYear: number, rng: Random, avoid: readonly string[] = [], initial?: string): string {
    const eras = this.origins[origin].eras;
    let era = eras[0];
    for (const e of eras) if (birthYear >= e.born) era = e;
    const list = sex === 'male' ? era.male : era.female;
    let name = list.pick(rng);
    for (let tries = 0; tries < 40 && (avoid.includes(name) || (initial !== undefined && name[0] !== initial)); tries++) {
      name = list.pick(rng);
    }
    // a rare clash after 40 draws: take the next distinct name in frequency order
    for (let i = 0; avoid.includes(name) && i < list.names.length; i++) name = list.names[i];
    return name;
  }

  /** A surname at birth: the origin's list or its tail, sometimes two joined (double-barrelled, Iberian). */
  surname(origin: NameOrigin, rng: Random): string {
    const names = this.origins[origin];
    const one = () => {
      const tail = names.table.surnameTail;
      if (tail && rng.chance(tail.share)) return rng.pick(tail.first) + rng.pick(tail.last);
      return names.surnames.pick(rng);
    };
    const first = one();
    if (!rng.chance(names.table.compoundSurnameChance)) return first;
    const second = one();
    return second === first ? first : `${first}${names.table.compoundJoiner ?? '-'}${second}`;
  }

  /** The surname as a woman of the family carries it (Kowalski → Kowalska), or unchanged. */
  feminine(origin: NameOrigin, family: string): string {
    for (const [male, female] of this.origins[origin].table.feminineSuffixes ?? []) {
      if (family.endsWith(male)) return family.slice(0, family.length - male.length) + female;
    }
    return family;
  }

  /** The masculine form of a feminine surname (Kowalska → Kowalski), or undefined when it is not one. */
  masculine(origin: NameOrigin, family: string): string | undefined {
    for (const [male, female] of this.origins[origin].table.feminineSuffixes ?? []) {
      if (family.endsWith(female)) return family.slice(0, family.length - female.length) + male;
    }
    return undefined;
  }

  /** Begum, Bibi, Kaur: the surname women of a family with this surname often carry, when the custom applies. */
  femaleSurname(origin: NameOrigin, family: string, rng: Random): string | undefined {
    const table = this.origins[origin].table;
    const surname = table.femaleSurnames?.[family];
    return surname && rng.chance(table.femaleSurnameChance ?? 0) ? surname : undefined;
  }
}
