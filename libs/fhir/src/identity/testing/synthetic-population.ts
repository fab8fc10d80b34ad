import { nhsNumberCheckDigit } from '../../nhs-number';
import { nameTokens } from '../../search-document/name-keys';
import type { Demographics } from '../demographics';
import { seededRandom } from '../seeded-random';
import namesByOrigin from './names-by-origin.json';

/**
 * A labelled synthetic population for the matcher's tests: people of six name origins, each recorded by one to
 * four sources with the faults real feeds show (missing and unverified NHS numbers, typos, familiar forms,
 * transposed names, 1 January birth dates, day-month swaps, house moves), plus twins and shared households.
 * Seeded: the same options give the same records.
 */

export const NAME_ORIGINS = [
  'british',
  'south-asian',
  'east-african',
  'west-african',
  'eastern-european',
  'chinese',
] as const;
export type NameOrigin = (typeof NAME_ORIGINS)[number];

interface NamePool {
  female: string[];
  male: string[];
  family: string[];
}

const NAMES: Record<NameOrigin, NamePool> = namesByOrigin.names;

/** The familiar or variant forms sources record instead (a subset of what the nickname table knows, and more). */
const VARIANTS: Record<string, string[]> = namesByOrigin.variants;

const DISTRICTS = [
  ...Array.from({ length: 17 }, (_, i) => `LS${i + 1}`),
  ...Array.from({ length: 12 }, (_, i) => `BD${i + 1}`),
  'HX1',
  'HX2',
  'HX3',
  'HD1',
  'HD2',
  'HD3',
  'WF1',
  'WF2',
  'WF3',
];
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

export interface SyntheticOptions {
  persons: number;
  seed: number;
  /** Share of non-GP records without an NHS number (default 0.15). */
  missingNhs?: number;
}

export interface SyntheticPopulation {
  records: Demographics[];
  /** The person each record belongs to. */
  person: Int32Array;
  origin: NameOrigin[];
  persons: number;
}

interface Person {
  sex: 'male' | 'female';
  origin: NameOrigin;
  given: string;
  middle?: string;
  family: string;
  birthDate: string;
  postcode: string;
  nhsNumber: string;
}

export function syntheticPopulation({
  persons,
  seed,
  missingNhs = 0.15,
}: SyntheticOptions): SyntheticPopulation {
  const random = seededRandom(seed);
  const chance = (p: number) => random() < p;
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  const nhs = nhsNumbers(seed);
  const people: Person[] = [];
  for (let index = 0; index < persons; index++) {
    const previous = people[index - 1];
    if (previous && chance(0.015)) {
      // A twin: same family, birth date and home; a different first name; often the same sex.
      const sex = chance(0.6) ? previous.sex : previous.sex === 'male' ? 'female' : 'male';
      const given = pick(NAMES[previous.origin][sex].filter((name) => name !== previous.given));
      people.push({ ...previous, sex, given, middle: undefined, nhsNumber: nhs() });
      continue;
    }
    const household = previous && chance(0.3);
    const origin = household ? previous.origin : pick(NAME_ORIGINS);
    const sex = chance(0.5) ? 'male' : 'female';
    people.push({
      sex,
      origin,
      given: pick(NAMES[origin][sex]),
      ...(chance(0.2) ? { middle: pick(NAMES[origin][sex]) } : {}),
      family: household && chance(0.6) ? previous.family : pick(NAMES[origin].family),
      birthDate: isoDate(
        1930 + Math.floor(random() * 90),
        1 + Math.floor(random() * 12),
        1 + Math.floor(random() * 28),
      ),
      postcode: household ? previous.postcode : postcode(pick),
      nhsNumber: nhs(),
    });
  }

  const records: Demographics[] = [];
  const person: number[] = [];
  const origin: NameOrigin[] = [];
  people.forEach((facts, index) => {
    const count = 1 + Number(chance(0.8)) + Number(chance(0.5)) + Number(chance(0.25));
    for (let source = 0; source < count; source++) {
      records.push(recordOf(facts, source === 0, missingNhs, random, chance, pick));
      person.push(index);
      origin.push(facts.origin);
    }
  });
  return { records, person: Int32Array.from(person), origin, persons };
}

function recordOf(
  facts: Person,
  registeredGp: boolean,
  missingNhs: number,
  random: () => number,
  chance: (p: number) => boolean,
  pick: <T>(values: readonly T[]) => T,
): Demographics {
  // The registered GP's record is the clean reference; other sources carry faults.
  const noise = registeredGp ? 0 : 1;
  let given = facts.given;
  let family = facts.family;
  if (chance(0.05 * noise) && VARIANTS[given]) given = pick(VARIANTS[given]);
  if (chance(0.03 * noise)) given = misspell(given, random);
  if (chance(0.04 * noise)) family = misspell(family, random);
  let givenNames = [given, ...(facts.middle && !chance(0.5 * noise) ? [facts.middle] : [])];
  if (chance(0.02 * noise)) [givenNames, family] = [[family], given];
  let birthDate = facts.birthDate;
  const roll = random();
  if (noise && roll < 0.015) birthDate = `${birthDate.slice(0, 4)}-01-01`;
  else if (noise && roll < 0.025) birthDate = swapDayMonth(birthDate);
  else if (noise && roll < 0.035) birthDate = keyingSlip(birthDate, random);
  let postcodeValue = facts.postcode;
  if (chance(0.15 * noise))
    postcodeValue = chance(0.5) ? `${facts.postcode.split(' ')[0]} ${inward(pick)}` : postcode(pick);
  const hasNhs = !chance(missingNhs * noise);
  const outward = postcodeValue.split(' ')[0];
  return {
    ...(hasNhs ? { nhsNumber: facts.nhsNumber } : {}),
    nhsNumberStatus: hasNhs ? (chance(0.75) ? 'verified' : 'present') : 'absent',
    supersededNhsNumbers: [],
    family: nameTokens(family),
    given: givenNames.flatMap(nameTokens),
    birthDate,
    postcode: postcodeValue.replace(' ', ''),
    postcodeDistrict: outward,
    postcodeArea: outward.replace(/[0-9].*$/, ''),
    ...(chance(0.02 * noise) ? {} : { sex: facts.sex }),
  };
}

function nhsNumbers(seed: number): () => string {
  let next = 100_000 + (seed % 50_000) * 17;
  return () => {
    for (;;) {
      const firstNine = `999${String(next++ % 1_000_000).padStart(6, '0')}`;
      const check = nhsNumberCheckDigit(firstNine);
      if (check !== undefined) return `${firstNine}${check}`;
    }
  };
}

function postcode(pick: <T>(values: readonly T[]) => T): string {
  return `${pick(DISTRICTS)} ${inward(pick)}`;
}

function inward(pick: <T>(values: readonly T[]) => T): string {
  return `${pick([...'123456789'])}${pick([...INWARD_LETTERS])}${pick([...INWARD_LETTERS])}`;
}

function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function swapDayMonth(date: string): string {
  const [year, month, day] = date.split('-');
  return Number(day) <= 12 && day !== month ? `${year}-${day}-${month}` : date;
}

function keyingSlip(date: string, random: () => number): string {
  const [year, month, day] = date.split('-');
  const digit = String(Math.floor(random() * 10));
  const changed = `${day[0]}${digit}`;
  return Number(changed) >= 1 && Number(changed) <= 28 && changed !== day
    ? `${year}-${month}-${changed}`
    : date;
}

function misspell(name: string, random: () => number): string {
  if (name.length < 4) return `${name}${name[name.length - 1]}`;
  const i = 1 + Math.floor(random() * (name.length - 2));
  switch (Math.floor(random() * 3)) {
    case 0:
      return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
    case 1:
      return name.slice(0, i) + name[i] + name.slice(i);
    default:
      return name.slice(0, i) + name.slice(i + 1);
  }
}
