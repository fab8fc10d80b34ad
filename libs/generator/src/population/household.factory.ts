import type { Sex } from '../data/code-tables';
import { codeTables } from '../data/code-tables';
import { populationTables, type AgeRange } from '../data/population-tables';
import type { Community } from '../community/community.model';
import { postcodeLetters } from '../community/community.factory';
import { addDays, isoDate } from '../clinical/dates';
import { allocateNhsNumber } from '../person/nhs-number.allocator';
import type { Random } from '../random/random';
import type { NamePicker } from './name.picker';
import type { HouseholdKind, NameOrigin, PopulationPerson, PostalAddress } from './population.model';

const H = populationTables.households;

/** A member before indexes and NHS numbers are given out. */
interface Draft {
  sex: Sex;
  age: number;
  birthDate: string;
  origin: NameOrigin;
  given: string;
  middle?: string;
  family: string;
  formerFamily?: string;
  /** Married (took a partner's surname or had one): Mrs rather than Ms or Miss. */
  married?: boolean;
  twin?: Draft;
  birthOrder?: number;
  mobile?: string;
  previousAddress?: PostalAddress;
}

export interface Household {
  id: string;
  kind: HouseholdKind;
  members: PopulationPerson[];
}

/**
 * Households of the labelled population: who lives together, with their names, ages and addresses. Families
 * share a surname (mostly) and an address, twins share a birth date, children under twelve are reached on a
 * parent's mobile, and shared houses and care homes put unrelated people at one address.
 */
export class HouseholdFactory {
  constructor(
    private readonly seed: string,
    private readonly community: Community,
    private readonly names: NamePicker,
    private readonly today: Date,
  ) {}

  create(householdIndex: number, firstPersonIndex: number, rng: Random): Household {
    const kind = rng.weighted(H.kinds);
    const drafts = this.members(kind, rng);
    const address = this.address(kind, rng);
    const shared = kind !== 'shared-house' && kind !== 'care-home';
    const previous = shared ? this.previousAddress(address, rng) : undefined;
    const landline = kind === 'care-home' || rng.chance(H.landlineChance) ? this.phone(H.phones.landline, rng) : undefined;
    const practice = rng.pick(this.community.practices);
    for (const d of drafts) {
      if (d.age >= H.mobileFromAge && rng.chance(d.age >= 80 ? 0.5 : 0.9)) d.mobile = this.phone(H.phones.mobile, rng);
    }
    const contact = drafts.find((d) => d.mobile && d.age >= 18)?.mobile;
    const householdId = `H${String(householdIndex).padStart(7, '0')}`;
    const ids = new Map<Draft, string>(drafts.map((d, k) => [d, personId(firstPersonIndex + k)]));
    const members = drafts.map((d, k): PopulationPerson => {
      const index = firstPersonIndex + k;
      const person: PopulationPerson = {
        index,
        id: ids.get(d)!,
        householdId,
        householdKind: kind,
        origin: d.origin,
        sex: d.sex,
        ...(d.age >= 18 ? { prefix: d.sex === 'male' ? 'Mr' : d.married ? 'Mrs' : d.age < 30 ? 'Miss' : 'Ms' } : {}),
        given: d.given,
        ...(d.middle ? { middle: d.middle } : {}),
        family: d.family,
        ...(d.formerFamily ? { formerFamily: d.formerFamily } : {}),
        birthDate: d.birthDate,
        nhsNumber: allocateNhsNumber(this.seed, index),
        address,
        previousAddress: previous ?? d.previousAddress ?? this.previousAddress(address, rng),
        ...(d.mobile ? { mobile: d.mobile } : d.age < H.mobileFromAge && contact ? { mobile: contact } : {}),
        ...(landline ? { landline } : {}),
        practice: kind === 'shared-house' ? rng.pick(this.community.practices) : practice,
      };
      if (d.twin) {
        person.twinOf = ids.get(d.twin);
        person.birthOrder = d.birthOrder;
      }
      return person;
    });
    return { id: householdId, kind, members };
  }

  private members(kind: HouseholdKind, rng: Random): Draft[] {
    switch (kind) {
      case 'single':
        return [this.loneAdult(this.age(rng.weighted(H.singleAge), rng), rng.pick<Sex>(['male', 'female']), this.names.origin(rng), rng)];
      case 'couple':
        return this.couple(this.age(rng.weighted(H.coupleAge), rng), rng);
      case 'family':
      case 'lone-parent':
      case 'multigenerational':
        return this.family(kind, rng);
      case 'shared-house':
      case 'care-home': {
        const spec = kind === 'care-home' ? H.careHome : H.sharedHouse;
        const size = rng.int(spec.size[0], spec.size[1]);
        return Array.from({ length: size }, () => {
          const draft = this.loneAdult(this.age(spec.age, rng), rng.pick<Sex>(['male', 'female']), this.names.origin(rng), rng);
          draft.previousAddress = this.previousAddress(undefined, rng);
          return draft;
        });
      }
    }
  }

  /** An adult on their own; an older woman may be widowed, with her married surname and a maiden one. */
  private loneAdult(age: number, sex: Sex, origin: NameOrigin, rng: Random): Draft {
    const person = this.person(sex, age, origin, this.names.surname(origin, rng), rng);
    if (sex === 'female' && age >= 60 && rng.chance(H.widowedFormerNameChance * this.names.table(origin).marriedNameChange)) {
      person.formerFamily = this.names.feminine(origin, this.names.surname(origin, rng));
      person.married = true;
    }
    return person;
  }

  private couple(age: number, rng: Random): Draft[] {
    const originA = this.names.origin(rng);
    const originB = rng.chance(H.mixedOriginCouple) ? this.names.origin(rng) : originA;
    const partnerAge = Math.max(18, Math.min(99, age + Math.round(rng.normal(0, 3))));
    if (rng.chance(H.sameSexCouple)) {
      const sex = rng.pick<Sex>(['male', 'female']);
      return [this.loneAdult(age, sex, originA, rng), this.loneAdult(partnerAge, sex, originB, rng)];
    }
    const man = this.person('male', age, originA, this.names.surname(originA, rng), rng);
    return [man, this.wife(man, partnerAge, originB, rng)];
  }

  /** A woman partnered with `man`: his surname (feminine form) and her maiden one, her own, or Begum/Kaur. */
  private wife(man: Draft, age: number, origin: NameOrigin, rng: Random): Draft {
    const maiden = this.names.feminine(origin, this.names.surname(origin, rng));
    const wife = this.person('female', age, origin, maiden, rng, [man.given]);
    if (rng.chance(this.names.table(origin).marriedNameChange)) {
      wife.family = this.names.feminine(man.origin, man.family);
      if (wife.family !== maiden) wife.formerFamily = maiden;
      wife.married = true;
    } else {
      const custom = this.names.femaleSurname(man.origin, man.family, rng);
      if (custom) wife.family = custom;
    }
    return wife;
  }

  private family(kind: 'family' | 'lone-parent' | 'multigenerational', rng: Random): Draft[] {
    const count = rng.weighted(H.children);
    const childAges = Array.from({ length: count }, () => (rng.chance(H.adultChildChance) ? rng.int(18, 24) : rng.int(0, 17))).sort((a, b) => b - a);
    const parentAge = Math.min(99, childAges[0] + rng.int(H.parentAgeAtBirth[0], H.parentAgeAtBirth[1]));
    let adults: Draft[];
    let father: Draft | undefined;
    let mother: Draft | undefined;
    if (kind === 'lone-parent') {
      const sex: Sex = rng.chance(0.85) ? 'female' : 'male';
      const parent = this.loneAdult(parentAge, sex, this.names.origin(rng), rng);
      if (sex === 'female' && !parent.formerFamily && rng.chance(0.5 * this.names.table(parent.origin).marriedNameChange)) {
        parent.formerFamily = this.names.feminine(parent.origin, this.names.surname(parent.origin, rng));
        parent.married = true;
      }
      adults = [parent];
      if (sex === 'female') mother = parent;
      else father = parent;
    } else {
      adults = this.couple(parentAge, rng);
      const [first, second] = adults;
      if (first.sex !== second.sex) [father, mother] = [first, second];
      else if (first.sex === 'male') father = first; // a same-sex couple's children carry the first partner's surname
      else mother = first;
    }
    const lead = father ?? mother!;
    const surnames = this.childrenSurnames(lead, mother, rng);
    const children: Draft[] = [];
    const taken = adults.map((a) => a.given);
    for (const age of childAges) {
      const child = this.child(lead.origin, surnames, age, rng, taken);
      children.push(child);
      if (rng.chance(H.twinChance)) {
        const sex = rng.chance(2 / 3) ? child.sex : child.sex === 'male' ? 'female' : 'male';
        const initial = rng.chance(0.3) ? child.given[0] : undefined;
        const twin = this.child(lead.origin, surnames, age, rng, taken, sex, initial);
        twin.birthDate = child.birthDate;
        child.twin = twin;
        twin.twin = child;
        child.birthOrder = 1;
        twin.birthOrder = 2;
        children.push(twin);
      }
    }
    const members = [...adults, ...children];
    if (kind === 'multigenerational') {
      const sex = rng.pick<Sex>(['male', 'female']);
      const age = Math.min(99, parentAge + rng.int(20, 35));
      const family = this.names.masculine(lead.origin, lead.family) ?? lead.family;
      const grandparent = this.person(sex, age, lead.origin, sex === 'female' ? this.names.feminine(lead.origin, family) : family, rng, taken);
      if (sex === 'female' && rng.chance(this.names.table(lead.origin).marriedNameChange)) {
        grandparent.formerFamily = this.names.feminine(lead.origin, this.names.surname(lead.origin, rng));
        grandparent.married = true;
      }
      members.push(grandparent);
    }
    return members;
  }

  /** The surnames of a family's sons and daughters: the lead parent's, sometimes both parents' joined. */
  private childrenSurnames(lead: Draft, mother: Draft | undefined, rng: Random): { male: string; female: string } {
    const origin = lead.origin;
    let family = this.names.masculine(origin, lead.family) ?? lead.family;
    const joinable = mother && mother !== lead && mother.family !== lead.family && !/[ -]/.test(lead.family + mother.family);
    if (joinable && this.names.table(origin).compoundSurnameChance > 0 && rng.chance(H.doubleBarrelledChildren)) {
      family = `${family}-${mother.family}`;
    }
    return { male: family, female: this.names.femaleSurname(origin, family, rng) ?? this.names.feminine(origin, family) };
  }

  private child(origin: NameOrigin, surnames: { male: string; female: string }, age: number, rng: Random, taken: string[], sex?: Sex, initial?: string): Draft {
    const childSex = sex ?? rng.pick<Sex>(['male', 'female']);
    const child = this.person(childSex, age, origin, surnames[childSex], rng, taken, initial);
    taken.push(child.given);
    return child;
  }

  private person(sex: Sex, age: number, origin: NameOrigin, family: string, rng: Random, avoid: string[] = [], initial?: string): Draft {
    const birth = addDays(this.today, -(Math.floor(age * 365.25) + rng.int(0, 364)));
    const year = birth.getUTCFullYear();
    const given = this.names.given(origin, sex, year, rng, avoid, initial);
    const table = this.names.table(origin);
    const middle = rng.chance(table.middleNameChance) ? this.names.given(origin, sex, year, rng, [given]) : undefined;
    return { sex, age, birthDate: isoDate(birth), origin, given, ...(middle ? { middle } : {}), family };
  }

  private age([min, max]: AgeRange, rng: Random): number {
    return rng.int(min, max);
  }

  private address(kind: HouseholdKind, rng: Random, district?: { town: string; county: string; district: string }): PostalAddress {
    const place = district ?? this.regionalDistrict(rng);
    const street = `${rng.int(1, 180)} ${rng.pick(codeTables.streets)}`;
    const lines =
      kind === 'care-home'
        ? [`${rng.pick(H.careHomeNames)}`, street]
        : kind !== 'shared-house' && rng.chance(H.flatChance)
          ? [`Flat ${rng.int(1, 24)}`, street]
          : [street];
    return { lines, town: place.town, county: place.county, postcode: `${place.district} ${rng.int(1, 9)}${postcodeLetters(rng)}` };
  }

  /** Where they lived before: the same postcode district, elsewhere in the region, or elsewhere in the UK. */
  private previousAddress(current: PostalAddress | undefined, rng: Random): PostalAddress {
    const draw = rng.next();
    let place: { town: string; county: string; district: string };
    if (current && draw < H.move.sameDistrict) {
      place = { town: current.town, county: current.county, district: current.postcode.split(' ')[0] };
    } else if (draw > 1 - H.move.elsewhereInUk) {
      const town = rng.pick(H.elsewhere);
      place = { town: town.name, county: town.county, district: rng.pick(town.districts) };
    } else {
      place = this.regionalDistrict(rng);
    }
    let previous = this.address('family', rng, place);
    while (current && previous.postcode === current.postcode) previous = this.address('family', rng, place);
    return previous;
  }

  private regionalDistrict(rng: Random): { town: string; county: string; district: string } {
    const town = rng.weighted(codeTables.towns.map((t) => ({ value: t, weight: t.weight })));
    return { town: town.name, county: codeTables.county, district: rng.pick(town.districts) };
  }

  private phone(prefixes: string[], rng: Random): string {
    return `${rng.pick(prefixes)}${rng.digits(3)}`;
  }
}

export function personId(index: number): string {
  return `P${String(index).padStart(7, '0')}`;
}
