import type { Clinician, SourceSystem } from '../community/community.model';
import type { Episode, LabResult } from '../clinical/episode.model';
import { addMinutes, hl7Date, hl7DateTime } from '../clinical/dates';
import type { Person, SourceView } from '../person/person.model';
import { components, message, segment } from './er7';

export type AdtEvent = 'A01' | 'A02' | 'A03' | 'A04' | 'A08' | 'A31' | 'A40';

const STRUCTURE: Record<AdtEvent, string> = {
  A01: 'ADT_A01',
  A02: 'ADT_A02',
  A03: 'ADT_A03',
  A04: 'ADT_A01',
  A08: 'ADT_A01',
  A31: 'ADT_A05',
  A40: 'ADT_A39',
};

const SEVERITY = { mild: 'MI', moderate: 'MO', severe: 'SV' } as const;
const RELATIONSHIP = { spouse: 'SPO^Spouse', child: 'CHD^Child', parent: 'PAR^Parent' } as const;

export interface Hl7Output {
  /** ER7 text with \r segment separators. */
  text: string;
  controlId: string;
  at: Date;
}

/**
 * The acute trust's HL7 v2.4 feed for one person, in the NHS ITK style of the sample messages: ADT for
 * registrations, admissions, transfers, discharges and demographic updates, ORU^R01 for pathology results.
 */
export class PasMessageBuilder {
  private serial = 0;

  constructor(
    private readonly person: Person,
    private readonly view: SourceView,
  ) {}

  private get source(): SourceSystem {
    return this.view.source;
  }

  private nextControlId(localId: string): string {
    this.serial++;
    return `${localId}${String(this.serial).padStart(4, '0')}`;
  }

  /** ADT messages of one acute episode, in the order the PAS sends them. */
  adtFor(episode: Episode, visitId: string): Hl7Output[] {
    const detail = episode.encounter;
    if (!detail) return [];
    const out: Hl7Output[] = [];
    if (detail.setting === 'inpatient') {
      out.push(this.adt('A01', episode, visitId, episode.start));
      if (detail.transferWard) {
        const mid = new Date((episode.start.getTime() + episode.end.getTime()) / 2);
        out.push(this.adt('A02', episode, visitId, mid, detail.transferWard));
      }
      out.push(this.adt('A03', episode, visitId, episode.end, detail.transferWard));
    } else {
      out.push(this.adt('A04', episode, visitId, episode.start));
      if (detail.setting === 'emergency') out.push(this.adt('A03', episode, visitId, episode.end));
    }
    return out;
  }

  /** A demographic update outside a visit (A31) or during one (A08). */
  update(event: 'A08' | 'A31', at: Date, episode?: Episode, visitId?: string): Hl7Output {
    return this.adt(event, episode, visitId, at);
  }

  /** ADT^A40: the temporary duplicate registration merged into the person's proper hospital number. */
  merge(at: Date): Hl7Output {
    const duplicate = this.view.duplicate!;
    const controlId = this.nextControlId(this.view.localId);
    const segments = [
      this.msh('ADT^A40^ADT_A39', controlId, at),
      this.evn(at, undefined),
      this.pid(this.view.localId, true),
      this.pd1(),
      segment('MRG', { 1: components(duplicate.localId, undefined, undefined, this.source.odsCode, 'MR') }),
    ];
    return { text: message(segments), controlId, at };
  }

  /** ORU^R01 with one OBR per test and one OBX per analyte, units in UCUM, ranges and H/L/N flags. */
  oru(lab: LabResult, episode: Episode, visitId: string | undefined, orderNumber: string): Hl7Output {
    const localId = episode.underDuplicate ? this.view.duplicate!.localId : this.view.localId;
    const controlId = this.nextControlId(localId);
    const ordering = xcn(episode.clinician);
    const segments = [
      this.msh('ORU^R01^ORU_R01', controlId, lab.reported, 'PATH'),
      this.pid(localId, !episode.underDuplicate),
    ];
    if (visitId) segments.push(segment('PV1', { 1: '1', 2: episode.encounter?.setting === 'inpatient' ? 'I' : 'O', 19: components(visitId, undefined, undefined, 'VISITID') }));
    segments.push(
      segment('ORC', { 1: 'RE', 2: components(orderNumber, this.source.odsCode), 3: components(`F${orderNumber}`, this.source.odsCode), 5: 'CM', 12: ordering }),
      segment('OBR', {
        1: '1',
        2: components(orderNumber, this.source.odsCode),
        3: components(`F${orderNumber}`, this.source.odsCode),
        4: components(lab.test.local, lab.test.display, 'L'),
        7: hl7DateTime(lab.collected),
        14: hl7DateTime(addMinutes(lab.collected, 45)),
        16: ordering,
        22: hl7DateTime(lab.reported),
        25: 'F',
      }),
    );
    lab.results.forEach((m, i) => {
      const { low, high, unit } = m.analyte;
      const value = m.value ?? 0;
      const range = low === undefined || high === undefined ? undefined : low > 0 ? `${low}-${high}` : `<${high}`;
      const flag = high !== undefined && value > high ? 'H' : low !== undefined && low > 0 && value < low ? 'L' : 'N';
      segments.push(
        segment('OBX', {
          1: String(i + 1),
          2: 'NM',
          3: components(m.analyte.code, m.analyte.display, m.analyte.system === 'loinc' ? 'LN' : 'SCT'),
          5: String(value),
          6: components(unit, unit, 'UCUM'),
          7: range,
          8: flag,
          11: 'F',
          14: hl7DateTime(m.at),
        }),
      );
    });
    return { text: message(segments), controlId, at: lab.reported };
  }

  private adt(event: AdtEvent, episode: Episode | undefined, visitId: string | undefined, at: Date, ward?: string): Hl7Output {
    const underDuplicate = episode?.underDuplicate === true;
    const localId = underDuplicate ? this.view.duplicate!.localId : this.view.localId;
    const controlId = this.nextControlId(localId);
    const segments = [this.msh(`ADT^${event}^${STRUCTURE[event]}`, controlId, at), this.evn(at, episode?.clinician), this.pid(localId, !underDuplicate), this.pd1()];
    if (this.person.nextOfKin && (event === 'A01' || event === 'A04' || event === 'A31')) segments.push(this.nk1());
    if (episode && visitId) segments.push(this.pv1(event, episode, visitId, ward));
    if (episode?.encounter?.setting === 'inpatient' && event === 'A01') {
      segments.push(segment('PV2', { 3: components(episode.diagnoses[0]?.condition.snomed[1] ?? 'Admission') }));
    }
    if (episode && (event === 'A01' || event === 'A04')) {
      episode.allergies.forEach((a, i) =>
        segments.push(
          segment('AL1', {
            1: String(i + 1),
            2: a.row.al1Type,
            3: components(a.row.code, a.row.display, 'SCT'),
            4: SEVERITY[a.reaction.severity],
            5: components(a.reaction.display),
            6: hl7DateTime(a.onset),
          }),
        ),
      );
    }
    if (episode && (event === 'A01' || event === 'A03' || event === 'A04')) {
      episode.diagnoses.forEach((d, i) =>
        segments.push(
          segment('DG1', {
            1: String(i + 1),
            3: components(d.condition.icd10[0], d.condition.icd10[1], 'I10'),
            5: hl7DateTime(d.recorded),
            6: event === 'A03' ? 'F' : 'W',
          }),
        ),
      );
    }
    return { text: message(segments), controlId, at };
  }

  private msh(type: string, controlId: string, at: Date, application = 'PAS'): string {
    return `MSH|^~\\&|${application}|${this.source.odsCode}|ROUTE|ROUTE|${hl7DateTime(at)}||${type}|${controlId}|P|2.4|||||GBR|UNICODE|EN||iTKv1.0`;
  }

  private evn(at: Date, operator: Clinician | undefined): string {
    return segment('EVN', { 2: hl7DateTime(at), 5: operator ? xcn(operator, this.source.siteCode) : undefined, 6: hl7DateTime(at) });
  }

  /** PID with the NHS number (assigning authority NHS) first when known, then the hospital number. */
  private pid(localId: string, withNhsNumber: boolean): string {
    const v = this.view;
    const ids: string[] = [];
    if (withNhsNumber && v.nhsNumber) ids.push(components(v.nhsNumber, undefined, undefined, 'NHS', 'NH'));
    ids.push(components(localId, undefined, undefined, this.source.odsCode, 'MR'));
    const p = this.person;
    return segment('PID', {
      1: '1',
      3: ids.join('~'),
      5: components(v.family.toUpperCase(), v.given.toUpperCase(), p.middle?.toUpperCase(), undefined, p.prefix.toUpperCase() || undefined, undefined, 'L'),
      7: hl7Date(v.birthDate),
      8: p.sex === 'male' ? '1' : '2',
      11: components(v.address.line.toUpperCase(), undefined, v.address.town.toUpperCase(), v.address.county, v.address.postcode, 'GBR', 'H'),
      13: p.mobile.replace(/\s/g, ''),
      29: p.deceasedDate ? hl7Date(p.deceasedDate) : undefined,
      30: p.deceasedDate ? 'Y' : undefined,
    });
  }

  private pd1(): string {
    const practice = this.person.practice;
    const gp = this.person.usualGp;
    return segment('PD1', {
      3: practice ? components(practice.organisationName.toUpperCase(), undefined, practice.odsCode) : undefined,
      4: gp ? xcn(gp) : undefined,
    });
  }

  private nk1(): string {
    const kin = this.person.nextOfKin!;
    const a = this.view.address;
    return segment('NK1', {
      1: '1',
      2: components(kin.family.toUpperCase(), kin.given.toUpperCase(), undefined, undefined, undefined, undefined, 'L'),
      3: RELATIONSHIP[kin.relationship],
      4: components(a.line.toUpperCase(), undefined, a.town.toUpperCase(), a.county, a.postcode, 'GBR', 'H'),
    });
  }

  private pv1(event: AdtEvent, episode: Episode, visitId: string, ward?: string): string {
    const detail = episode.encounter!;
    const inpatient = detail.setting === 'inpatient';
    const patientClass = inpatient ? 'I' : detail.setting === 'emergency' ? 'E' : 'O';
    const site = this.source.siteCode ?? this.source.odsCode;
    const location = inpatient
      ? components(this.source.odsCode, ward ?? detail.ward, `BED${(visitId.length % 20) + 1}`, site)
      : components(this.source.odsCode, detail.setting === 'emergency' ? 'ED' : 'OPD', undefined, site);
    const gp = this.person.usualGp;
    return segment('PV1', {
      1: '1',
      2: patientClass,
      3: location,
      4: inpatient ? (detail.fromEmergency ? '21' : '11') : undefined,
      7: xcn(episode.clinician),
      8: gp ? xcn(gp) : undefined,
      10: detail.specialty?.[0] ?? (detail.setting === 'emergency' ? '180' : undefined),
      14: '19',
      19: components(visitId, undefined, undefined, 'VISITID'),
      36: event === 'A03' ? '19' : undefined,
      44: hl7DateTime(episode.start),
      45: event === 'A03' ? hl7DateTime(episode.end) : undefined,
    });
  }
}

function xcn(c: Clinician, facility?: string): string {
  return components(c.code, c.family, c.given, undefined, undefined, c.prefix, undefined, facility, c.codeKind);
}
