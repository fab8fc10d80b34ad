import type { SourceKind } from '../data/code-tables';
import type { HouseholdOutput } from './population.generator';
import { CORRUPTION_KINDS, NAME_ORIGINS, type CorruptionKind, type HouseholdKind, type NameOrigin } from './population.model';

const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';

export interface NhsNumberCounts {
  records: number;
  withNhsNumber: number;
  verified: number;
  /** A status other than verified (02, 04, 05, 06). */
  notVerified: number;
  /** The number without any status. */
  noStatus: number;
}

export interface PopulationSummary {
  persons: number;
  households: number;
  records: number;
  /** How many persons have 1, 2, … records. */
  recordsPerPerson: Record<string, number>;
  recordsBySourceKind: Record<SourceKind, number>;
  recordsBySourceSystem: Record<string, number>;
  nhsNumberBySourceKind: Record<SourceKind, NhsNumberCounts>;
  /** Per kind: records carrying it, records it could have applied to, and their ratio. */
  corruptions: Record<CorruptionKind, { records: number; eligible: number; rate: number }>;
  cleanRecords: number;
  byNameOrigin: Record<NameOrigin, { persons: number; records: number }>;
  byHouseholdKind: Record<HouseholdKind, { households: number; persons: number }>;
  twinPairs: number;
  /** Persons given the names, sex and birth date of an earlier, unrelated person. */
  namesakePairs: number;
  /** Persons living at an address with somebody else in the population. */
  personsSharingAnAddress: number;
  personsWithReissuedNhsNumber: number;
  personsWithFormerSurname: number;
}

const SOURCE_KINDS: SourceKind[] = ['gp', 'acute', 'community', 'ooh', 'social'];
const HOUSEHOLD_KINDS: HouseholdKind[] = ['single', 'couple', 'family', 'lone-parent', 'multigenerational', 'shared-house', 'care-home'];

function table<K extends string, V>(keys: readonly K[], make: () => V): Record<K, V> {
  return Object.fromEntries(keys.map((k) => [k, make()])) as Record<K, V>;
}

/** Counts a population as it streams past: constant memory, one household at a time. */
export class PopulationTally {
  private persons = 0;
  private households = 0;
  private records = 0;
  private cleanRecords = 0;
  private twins = 0;
  private namesakes = 0;
  private sharing = 0;
  private reissued = 0;
  private formerSurname = 0;
  private readonly perPerson = new Map<number, number>();
  private readonly bySourceKind = table(SOURCE_KINDS, () => 0);
  private readonly bySourceSystem = new Map<string, number>();
  private readonly nhs = table(SOURCE_KINDS, (): NhsNumberCounts => ({ records: 0, withNhsNumber: 0, verified: 0, notVerified: 0, noStatus: 0 }));
  private readonly applied = table(CORRUPTION_KINDS, () => 0);
  private readonly eligible = table(CORRUPTION_KINDS, () => 0);
  private readonly origins = table(NAME_ORIGINS, () => ({ persons: 0, records: 0 }));
  private readonly householdKinds = table(HOUSEHOLD_KINDS, () => ({ households: 0, persons: 0 }));

  add({ household, records }: HouseholdOutput): void {
    const members = household.members;
    this.households++;
    this.persons += members.length;
    this.householdKinds[household.kind].households++;
    this.householdKinds[household.kind].persons += members.length;
    if (members.length > 1) this.sharing += members.length;
    const recordCount = new Map<string, number>();
    for (const m of members) {
      this.origins[m.origin].persons++;
      if (m.twinOf && m.birthOrder === 1) this.twins++;
      if (m.namesakeOf) this.namesakes++;
      if (m.formerNhsNumber) this.reissued++;
      if (m.formerFamily) this.formerSurname++;
      recordCount.set(m.id, 0);
    }
    for (const { label, sourceKind, eligible } of records) {
      this.records++;
      recordCount.set(label.truthPersonId, (recordCount.get(label.truthPersonId) ?? 0) + 1);
      this.bySourceKind[sourceKind]++;
      this.bySourceSystem.set(label.sourceSystem, (this.bySourceSystem.get(label.sourceSystem) ?? 0) + 1);
      this.origins[label.nameOrigin].records++;
      if (label.corruptions.length === 0) this.cleanRecords++;
      for (const kind of label.corruptions) this.applied[kind]++;
      for (const kind of eligible) this.eligible[kind]++;
      const nhs = this.nhs[sourceKind];
      nhs.records++;
      const identifier = label.patient.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM);
      if (identifier) {
        nhs.withNhsNumber++;
        const status = identifier.extension?.[0]?.valueCodeableConcept?.coding?.[0]?.code;
        if (status === '01') nhs.verified++;
        else if (status) nhs.notVerified++;
        else nhs.noStatus++;
      }
    }
    for (const n of recordCount.values()) this.perPerson.set(n, (this.perPerson.get(n) ?? 0) + 1);
  }

  summary(): PopulationSummary {
    return {
      persons: this.persons,
      households: this.households,
      records: this.records,
      recordsPerPerson: Object.fromEntries([...this.perPerson].sort(([a], [b]) => a - b).map(([n, c]) => [String(n), c])),
      recordsBySourceKind: { ...this.bySourceKind },
      recordsBySourceSystem: Object.fromEntries([...this.bySourceSystem].sort(([a], [b]) => a.localeCompare(b))),
      nhsNumberBySourceKind: structuredClone(this.nhs),
      corruptions: this.corruptionRows(),
      cleanRecords: this.cleanRecords,
      byNameOrigin: structuredClone(this.origins),
      byHouseholdKind: structuredClone(this.householdKinds),
      twinPairs: this.twins,
      namesakePairs: this.namesakes,
      personsSharingAnAddress: this.sharing,
      personsWithReissuedNhsNumber: this.reissued,
      personsWithFormerSurname: this.formerSurname,
    };
  }

  private corruptionRows(): PopulationSummary['corruptions'] {
    return Object.fromEntries(
      CORRUPTION_KINDS.map((kind) => {
        const eligible = this.eligible[kind];
        const records = this.applied[kind];
        return [kind, { records, eligible, rate: eligible > 0 ? Math.round((records / eligible) * 10_000) / 10_000 : 0 }];
      }),
    ) as PopulationSummary['corruptions'];
  }
}
