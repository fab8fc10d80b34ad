import type { SourceKind } from '../data/code-tables';
import { populationTables } from '../data/population-tables';
import type { Community, SourceSystem } from '../community/community.model';
import { localIdAllocator } from '../person/source-view.factory';
import type { Random } from '../random/random';
import type { PopulationPerson, SourceRecord } from './population.model';

/** The non-GP sources in the order a person's records are written. */
const OTHER_KINDS: Exclude<SourceKind, 'gp'>[] = ['acute', 'community', 'ooh', 'social'];

/**
 * Which sources know a person, and what each holds before any corruption: its own local id, the NHS number with
 * the verification status when the source sends one, and the telephone numbers it keeps.
 */
export class SourceRecordFactory {
  private readonly bySourceKind: Record<Exclude<SourceKind, 'gp'>, SourceSystem>;
  private readonly localIds: Map<SourceSystem, (index: number) => string>;

  constructor(
    seed: string,
    community: Community,
    private readonly today: string,
  ) {
    this.bySourceKind = { acute: community.acute, community: community.community, ooh: community.ooh, social: community.social };
    this.localIds = new Map(community.sources.map((s) => [s, localIdAllocator(seed, s)]));
  }

  /** The GP (almost everyone) and the other sources by age band; care-home residents are known to more of them. */
  sourcesOf(person: PopulationPerson, rng: Random): SourceSystem[] {
    const age = Number(this.today.slice(0, 4)) - Number(person.birthDate.slice(0, 4));
    const covered = (kind: SourceKind) => {
      const careHome = person.householdKind === 'care-home' ? populationTables.careHomeCoverage[kind] : undefined;
      return rng.chance(careHome ?? share(populationTables.sources[kind].coverage, age));
    };
    const sources: SourceSystem[] = [];
    if (person.practice && covered('gp')) sources.push(person.practice);
    for (const kind of OTHER_KINDS) if (covered(kind)) sources.push(this.bySourceKind[kind]);
    // nobody is in the population without a record: someone with no GP turned up at A&E
    if (sources.length === 0) sources.push(this.bySourceKind.acute);
    return sources;
  }

  /** The record as `source` holds it before corruption, under the local id of `idIndex` (a duplicate registration has its own). */
  recordOf(person: PopulationPerson, source: SourceSystem, idIndex: number, rng: Random): SourceRecord {
    const profile = populationTables.sources[source.kind];
    // an internal record, never serialised: absent fields are plain undefined
    return {
      source,
      localId: this.localIds.get(source)!(idIndex),
      nhsNumber: person.nhsNumber,
      nhsNumberStatus: rng.chance(profile.statusSent) ? '01' : undefined,
      prefix: person.prefix,
      given: person.given,
      middle: person.middle,
      family: person.family,
      birthDate: person.birthDate,
      sex: person.sex,
      address: person.address,
      phones: rng.chance(profile.telecom) ? phonesFor(source.kind, person) : [],
      multipleBirth: person.birthOrder && (source.kind === 'gp' || (source.kind === 'acute' && rng.chance(0.5))) ? person.birthOrder : undefined,
      corruptions: [],
    };
  }
}

/** The GP keeps every number; urgent care wants the mobile; community and social care ring the home first. */
function phonesFor(kind: SourceKind, person: PopulationPerson): SourceRecord['phones'] {
  const mobile = person.mobile ? { value: person.mobile, use: 'mobile' as const } : undefined;
  const home = person.landline ? { value: person.landline, use: 'home' as const } : undefined;
  const chosen = kind === 'gp' ? [mobile, home] : kind === 'community' || kind === 'social' ? [home ?? mobile] : [mobile ?? home];
  return chosen.filter((p): p is NonNullable<typeof p> => p !== undefined);
}

/** The share for `age` from [from age, share] bands. */
function share(bands: Array<[number, number]>, age: number): number {
  let value = bands[0][1];
  for (const [from, s] of bands) if (age >= from) value = s;
  return value;
}
