import type { SourceSystem } from '../community/community.model';
import { hash32, type Random } from '../random/random';
import type { NoiseKind, Person, SourceView } from './person.model';

const NOISE_KINDS: NoiseKind[] = ['missing-nhs-number', 'transposed-birth-date', 'misspelt-surname', 'accents-dropped', 'old-address'];

/**
 * A source's local id for person `index`: a seed-keyed bijection on the id space (multiplier coprime to 10), so
 * ids look arbitrary, never collide within a source, and need no lookup table.
 */
export function localIdOf(seed: string, source: SourceSystem, index: number, salt = ''): string {
  return localIdAllocator(seed, source, salt)(index);
}

/** `localIdOf` with the seed-keyed offset worked out once, for generating many ids of one source. */
export function localIdAllocator(seed: string, source: SourceSystem, salt = ''): (index: number) => string {
  const space = 10 ** source.localIdDigits;
  const offset = hash32(`${seed}/${source.id}/local-id${salt}`) % space;
  // exact in doubles: index * 7,919 + offset stays far below 2^53 for every index the allocators give out
  return (index) => `${source.localIdPrefix}${String((index * 7_919 + offset) % space).padStart(source.localIdDigits, '0')}`;
}

/**
 * How `source` records the person. The registered GP is the reference record and stays clean; any other source
 * gets data-quality noise with probability `noiseShare`, one or two faults, the kinds real feeds show.
 */
export function createSourceView(
  seed: string,
  person: Person,
  source: SourceSystem,
  noiseShare: number,
  rng: Random,
): SourceView {
  const view: SourceView = {
    source,
    localId: localIdOf(seed, source, person.index),
    patientId: rng.uuid(),
    nhsNumber: person.nhsNumber,
    given: person.given,
    family: person.family,
    birthDate: person.birthDate,
    address: person.address,
    noise: [],
  };
  if (source.kind === 'gp' || !rng.chance(noiseShare)) return view;
  const faults = rng.chance(0.2) ? 2 : 1;
  for (let i = 0; i < faults; i++) {
    const kind = rng.pick(NOISE_KINDS);
    if (view.noise.includes(kind)) continue;
    if (applyNoise(view, person, kind, rng)) view.noise.push(kind);
  }
  return view;
}

function applyNoise(view: SourceView, person: Person, kind: NoiseKind, rng: Random): boolean {
  switch (kind) {
    case 'missing-nhs-number':
      view.nhsNumber = undefined;
      return true;
    case 'transposed-birth-date':
      return transposeBirthDate(view);
    case 'misspelt-surname':
      view.family = misspell(view.family, rng);
      return view.family !== person.family;
    case 'accents-dropped': {
      const family = stripAccents(view.family);
      const given = stripAccents(view.given);
      if (family === view.family && given === view.given) {
        // No accents to lose: the other common fault of this kind is an apostrophe or hyphen dropped.
        const plain = view.family.replace(/['’-]/g, '');
        if (plain === view.family) return false;
        view.family = plain;
        return true;
      }
      view.family = family;
      view.given = given;
      return true;
    }
    case 'old-address':
      if (!person.previousAddress) return false;
      view.address = person.previousAddress;
      return true;
  }
}

/** Day and month swapped (US-style entry) when that is still a date; otherwise the last two digits of the year. */
function transposeBirthDate(view: SourceView): boolean {
  const [y, m, d] = view.birthDate.split('-');
  if (Number(d) <= 12 && d !== m) {
    view.birthDate = `${y}-${d}-${m}`;
    return true;
  }
  const swapped = `${y.slice(0, 2)}${y[3]}${y[2]}`;
  // Only an earlier year: a later one could land after "today"; 29 February may not exist in the new year.
  const candidate = `${swapped}-${m}-${d}`;
  if (swapped >= y || Number.isNaN(Date.parse(candidate)) || (m === '02' && d === '29')) return false;
  view.birthDate = candidate;
  return true;
}

export function stripAccents(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/Ł/g, 'L')
    .replace(/ł/g, 'l');
}

/** One keying error: two adjacent letters swapped, a letter doubled, or a letter dropped. */
function misspell(name: string, rng: Random): string {
  if (name.length < 4) return `${name}${name[name.length - 1]}`;
  const i = rng.int(1, name.length - 2);
  switch (rng.int(0, 2)) {
    case 0:
      return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
    case 1:
      return name.slice(0, i) + name[i] + name.slice(i);
    default:
      return name.slice(0, i) + name.slice(i + 1);
  }
}
