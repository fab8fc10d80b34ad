import { codeTables, type Sex } from '../data/code-tables';
import type { Community } from '../community/community.model';
import { postcodeLetters } from '../community/community.factory';
import { Random } from '../random/random';
import { addDays, isoDate, yearsBetween } from '../clinical/dates';
import { allocateNhsNumber } from './nhs-number.allocator';
import type { Person, PostalAddress } from './person.model';

/** Age bands of the England population (ONS mid-year shape, coarse), as weights. */
const AGE_BANDS = [
  { value: [0, 4], weight: 5.6 },
  { value: [5, 17], weight: 15.6 },
  { value: [18, 29], weight: 15.5 },
  { value: [30, 44], weight: 19.8 },
  { value: [45, 64], weight: 25.3 },
  { value: [65, 79], weight: 13.3 },
  { value: [80, 99], weight: 4.9 },
];

/** Share of people registered with a practice outside the community, so no GP feed knows them. */
const OUTSIDE_PRACTICE = 0.03;

export function createPerson(community: Community, index: number, rng: Random): Person {
  const sex: Sex = rng.chance(0.51) ? 'female' : 'male';
  const [minAge, maxAge] = rng.weighted(AGE_BANDS);
  const ageDays = rng.int(minAge * 365, maxAge * 365 + 364);
  const birth = addDays(community.today, -ageDays);
  const age = yearsBetween(birth, community.today);
  const names = codeTables.names;
  const family = rng.pick(names.surname);
  const address = randomAddress(rng);
  const moved = age >= 18 && rng.chance(0.25);
  const practice = rng.chance(OUTSIDE_PRACTICE) ? undefined : rng.pick(community.practices);
  const person: Person = {
    index,
    key: `p${String(index).padStart(6, '0')}`,
    nhsNumber: allocateNhsNumber(community.seed, index),
    sex,
    prefix: age < 16 ? '' : sex === 'male' ? rng.pick(names.prefixMale) : rng.pick(names.prefixFemale),
    given: rng.pick(sex === 'male' ? names.male : names.female),
    middle: rng.chance(0.45) ? rng.pick(sex === 'male' ? names.male : names.female) : undefined,
    family,
    birthDate: isoDate(birth),
    address,
    mobile: `07700 900${String(rng.int(0, 999)).padStart(3, '0')}`,
    practice,
    usualGp: practice ? rng.pick(practice.clinicians) : undefined,
  };
  if (moved) {
    person.previousAddress = randomAddress(rng);
    person.movedOn = isoDate(addDays(community.today, -rng.int(30, 3000)));
  }
  if (rng.chance(0.6)) {
    const relationship = age >= 60 ? rng.pick(['spouse', 'child'] as const) : age < 18 ? 'parent' : 'spouse';
    person.nextOfKin = {
      given: rng.pick(rng.chance(0.5) ? names.male : names.female),
      family: rng.chance(0.8) ? family : rng.pick(names.surname),
      relationship,
    };
  }
  const deathRisk = age >= 85 ? 0.18 : age >= 75 ? 0.07 : age >= 60 ? 0.02 : 0.002;
  if (rng.chance(deathRisk)) person.deceasedDate = isoDate(addDays(community.today, -rng.int(10, 1800)));
  if (person.deceasedDate && person.deceasedDate <= person.birthDate) delete person.deceasedDate;
  return person;
}

function randomAddress(rng: Random): PostalAddress {
  const town = rng.weighted(codeTables.towns.map((t) => ({ value: t, weight: t.weight })));
  return {
    line: `${rng.int(1, 180)} ${rng.pick(codeTables.streets)}`,
    town: town.name,
    county: codeTables.county,
    postcode: `${rng.pick(town.districts)} ${rng.int(1, 9)}${postcodeLetters(rng)}`,
  };
}
