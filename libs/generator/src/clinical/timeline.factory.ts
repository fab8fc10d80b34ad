import {
  codeTables,
  interpolateByAge,
  type AcuteCondition,
  type AcuteSetting,
  type ChronicCondition,
  type SettingKey,
} from '../data/code-tables';
import type { Clinician, Community, SourceSystem } from '../community/community.model';
import type { Person } from '../person/person.model';
import type { Random } from '../random/random';
import { addDays, addMinutes, atTime, daysBetween, parseDate, yearsBetween } from './dates';
import type { AppointmentDetail, Diagnosis, Episode, MedicationIssue } from './episode.model';
import { applyEffects, createPhysiology, isLabTest, measureSet, runLabTest, type Physiology } from './measurement.factory';

interface ActiveCondition {
  condition: ChronicCondition;
  onset: Date;
  medicines: string[];
}

const COMMISSIONING = codeTables.commissioning;

const ACUTE_SETTING_OF: Partial<Record<SettingKey, AcuteSetting>> = { gp: 'gp', ooh: 'ooh', emergency: 'ae', inpatient: 'admission' };
const CHRONIC_EXTRA: Partial<Record<SettingKey, keyof ChronicCondition>> = {
  gp: 'extraGpPerYear',
  outpatient: 'extraOutpatientPerYear',
  ooh: 'extraOohPerYear',
  emergency: 'aePerYear',
  inpatient: 'admissionPerYear',
  community: 'communityPerYear',
  mentalHealth: 'mentalHealthPerYear',
  socialCare: 'socialCarePerYear',
};

/**
 * A person's care history over the window (ten years back from "today", or since birth), as episodes at the
 * sources that saw them, in time order. Everything is drawn from the person's own stream.
 */
export class TimelineFactory {
  private readonly episodes: Episode[] = [];
  private readonly physiology: Physiology;
  private readonly conditions: ActiveCondition[] = [];
  private readonly birth: Date;
  private readonly windowStart: Date;
  private readonly windowEnd: Date;
  /** How much this person uses each setting relative to others of their age (mean 1). */
  private readonly propensity: Record<SettingKey, number>;

  constructor(
    private readonly community: Community,
    private readonly person: Person,
    private readonly rng: Random,
  ) {
    this.birth = parseDate(person.birthDate);
    const historyStart = addDays(community.today, -Math.round(codeTables.historyYears * 365.25));
    this.windowStart = this.birth > historyStart ? this.birth : historyStart;
    this.windowEnd = person.deceasedDate ? parseDate(person.deceasedDate) : community.today;
    this.physiology = createPhysiology(person.sex === 'female', this.ageAt(this.windowEnd), rng);
    this.propensity = this.usePropensity();
  }

  /**
   * Health-care use is skewed: a few people use a service a lot, many never. A gamma(1/2) multiplier with mean 1
   * (a squared standard normal) per setting keeps the averages and spreads them like real feeds; GP use is less
   * skewed (0.4 + 0.6 × exponential).
   */
  private usePropensity(): Record<SettingKey, number> {
    const skewed = () => this.rng.normal() ** 2;
    return {
      gp: 0.4 + 0.6 * -Math.log(1 - this.rng.next()),
      outpatient: skewed(),
      emergency: skewed(),
      inpatient: skewed(),
      community: skewed(),
      mentalHealth: skewed(),
      ooh: skewed(),
      socialCare: skewed(),
    };
  }

  build(): Episode[] {
    this.chooseChronicConditions();
    if (this.person.practice) this.registration(this.person.practice);
    for (let yearStart = this.windowStart; yearStart < this.windowEnd; yearStart = addDays(yearStart, 365)) {
      const yearEnd = new Date(Math.min(addDays(yearStart, 365).getTime(), this.windowEnd.getTime()));
      this.year(yearStart, yearEnd);
    }
    if (this.person.practice) {
      this.repeatPrescriptions(this.person.practice);
      this.immunisations(this.person.practice);
      this.bookedAppointment(this.person.practice);
    }
    this.episodes.sort((a, b) => a.start.getTime() - b.start.getTime());
    return this.episodes;
  }

  private ageAt(date: Date): number {
    return Math.max(0, yearsBetween(this.birth, date));
  }

  private chooseChronicConditions(): void {
    const age = this.ageAt(this.windowEnd);
    for (const condition of codeTables.chronic) {
      if (condition.sex && condition.sex !== this.person.sex) continue;
      if (age < condition.minAge) continue;
      const ramp = Math.min(1, (age - condition.minAge + 1) / Math.max(1, condition.peakAge - condition.minAge));
      if (!this.rng.chance(condition.prevalence * ramp)) continue;
      const onsetAge = this.rng.int(condition.minAge, age);
      let onset = addDays(this.birth, Math.round(onsetAge * 365.25) + this.rng.int(0, 364));
      if (onset > this.windowEnd) onset = addDays(this.windowEnd, -this.rng.int(1, 200));
      if (onset < this.birth) onset = this.birth;
      const medicines = condition.medicines.filter((_, i) => i === 0 || this.rng.chance(0.7)).map((group) => this.rng.pick(group));
      this.conditions.push({ condition, onset, medicines });
      applyEffects(this.physiology, condition.effects);
    }
  }

  private activeAt(date: Date): ActiveCondition[] {
    return this.conditions.filter((c) => c.onset <= date);
  }

  private newEpisode(source: SourceSystem, start: Date, minutes: number, clinician?: Clinician): Episode {
    return {
      source,
      start,
      end: addMinutes(start, minutes),
      clinician: clinician ?? this.rng.pick(source.clinicians),
      diagnoses: [],
      measurements: [],
      labs: [],
      medications: [],
      immunisations: [],
      allergies: [],
    };
  }

  private workingTime(day: Date): Date {
    return atTime(day, this.rng.int(8, 17), this.rng.pick([0, 10, 20, 30, 40, 50]));
  }

  /** Joining the practice (or the start of the window): the new-patient check and the problem list so far. */
  private registration(practice: SourceSystem): void {
    const at = this.workingTime(this.windowStart);
    const episode = this.newEpisode(practice, at, 20, this.person.usualGp);
    episode.encounter = { setting: 'gp', care: codeTables.settings.gp, type: ['185349003', 'Encounter for check up'], telephone: false };
    episode.appointment = this.appointment(at, 20, 'fulfilled');
    if (this.ageAt(at) >= 2) episode.measurements.push(...measureSet('newPatient', this.physiology, at, this.rng));
    for (const active of this.conditions) {
      if (active.onset > at) continue;
      episode.diagnoses.push({ condition: active.condition, chronic: true, onset: active.onset, recorded: at, category: 'problem-list-item' });
    }
    if (this.rng.chance(codeTables.allergyPrevalence)) {
      const count = this.rng.chance(0.2) ? 2 : 1;
      for (let i = 0; i < count; i++) {
        const row = this.rng.weighted(codeTables.allergies.map((a) => ({ value: a, weight: a.weight })));
        if (episode.allergies.some((a) => a.row.code === row.code)) continue;
        const reaction = this.rng.weighted(codeTables.reactions.map((r) => ({ value: r, weight: r.weight })));
        episode.allergies.push({ row, reaction, onset: addDays(this.birth, this.rng.int(0, Math.max(0, daysBetween(this.birth, at)))) });
      }
    }
    this.episodes.push(episode);
  }

  private year(from: Date, to: Date): void {
    const years = daysBetween(from, to) / 365;
    if (years <= 0) return;
    const age = this.ageAt(from);
    const active = this.activeAt(to);
    const practice = this.person.practice;
    // Diagnoses made this year are recorded at a GP consultation on the onset date.
    if (practice) {
      for (const c of this.conditions) if (c.onset >= from && c.onset < to && c.onset > this.windowStart) this.diagnosisVisit(practice, c);
      const reviews = Math.max(0, ...active.map((c) => c.condition.reviewsPerYear));
      for (let i = 0; i < reviews; i++) this.chronicReview(practice, this.randomDay(from, to), active);
    }
    for (const [setting, care] of Object.entries(codeTables.settings) as Array<[SettingKey, (typeof codeTables.settings)[SettingKey]]>) {
      if (setting === 'gp' && !practice) continue;
      const extraKey = CHRONIC_EXTRA[setting];
      const extra = extraKey ? active.reduce((sum, c) => sum + Number(c.condition[extraKey] ?? 0), 0) : 0;
      const count = this.rng.poisson((interpolateByAge(care.ageRates, age) + extra) * years * this.propensity[setting]);
      for (let i = 0; i < count; i++) this.contact(setting, this.randomDay(from, to));
    }
  }

  private randomDay(from: Date, to: Date): Date {
    return addDays(from, this.rng.int(0, Math.max(0, daysBetween(from, to) - 1)));
  }

  private sourceOf(setting: SettingKey): SourceSystem | undefined {
    const kind = codeTables.settings[setting].source;
    if (kind === 'gp') return this.person.practice;
    return kind === 'acute' ? this.community.acute : kind === 'community' ? this.community.community : kind === 'ooh' ? this.community.ooh : this.community.social;
  }

  private contact(setting: SettingKey, day: Date): void {
    const care = codeTables.settings[setting];
    const source = this.sourceOf(setting);
    if (!source) return;
    if (setting === 'inpatient') return this.admission(day, undefined, false);
    const ooh = setting === 'ooh' || setting === 'emergency';
    const start = ooh ? atTime(day, this.rng.int(0, 23), this.rng.int(0, 59)) : this.workingTime(day);
    const [minMinutes, maxMinutes] = care.minutes ?? [10, 20];
    const minutes = this.rng.int(minMinutes, maxMinutes);
    if (care.dna && this.rng.chance(care.dna)) {
      const missed = this.newEpisode(source, start, minutes);
      missed.appointment = { ...this.appointment(start, minutes, 'noshow'), setting };
      this.episodes.push(missed);
      return;
    }
    const episode = this.newEpisode(source, start, minutes, setting === 'gp' && this.rng.chance(0.6) ? this.person.usualGp : undefined);
    const telephone = this.rng.chance(care.telephone ?? 0);
    episode.encounter = { setting, care, type: telephone ? codeTables.telephoneType : care.type, telephone };
    if (setting === 'outpatient') {
      episode.encounter.specialty = this.specialty();
      episode.encounter.treatmentFunction = episode.encounter.specialty;
      if (this.rng.chance(COMMISSIONING.outpatientProcedureChance)) this.procedure(episode, start);
    } else episode.encounter.treatmentFunction = this.treatmentFunction(setting, start);
    if (care.appointment && this.rng.chance(care.appointment)) episode.appointment = { ...this.appointment(start, minutes, 'fulfilled'), setting };
    const acuteSetting = ACUTE_SETTING_OF[setting];
    if (acuteSetting && care.acute && this.rng.chance(care.acute)) this.acuteProblem(episode, acuteSetting, start);
    if (care.vitals && !telephone && this.rng.chance(care.vitalsChance ?? 0)) {
      episode.measurements.push(...measureSet(care.vitals, this.physiology, start, this.rng));
    }
    if (care.tests && this.rng.chance(care.testsChance ?? 0)) {
      for (const test of care.tests) if (this.rng.chance(0.75)) episode.labs.push(runLabTest(test, this.physiology, addMinutes(start, 10), this.rng));
    }
    if (setting === 'community' && this.rng.chance(0.3)) this.medicinesInUse(episode, start);
    if (care.carePlan && this.rng.chance(care.carePlan)) episode.carePlan = { title: 'Care and support plan', start };
    this.episodes.push(episode);
    if (setting === 'emergency' && care.admit && this.rng.chance(care.admit)) this.admission(episode.end, episode, true);
  }

  /** The service's treatment function where commissioning datasets record one (GP, OOH and social care have none). */
  private treatmentFunction(setting: SettingKey, at: Date): [string, string] | undefined {
    const functions = COMMISSIONING.treatmentFunctions;
    if (setting === 'emergency') return functions.emergency;
    if (setting === 'community') return functions.community;
    if (setting !== 'mentalHealth') return undefined;
    const age = this.ageAt(at);
    return age < 18 ? functions.mentalHealthChild : age >= 65 ? functions.mentalHealthOlder : functions.mentalHealthAdult;
  }

  /** An OPCS-4 procedure the specialty does, when it does any. */
  private procedure(episode: Episode, at: Date): void {
    const specialty = episode.encounter?.specialty;
    const candidates = specialty ? COMMISSIONING.procedures[specialty[0]] : undefined;
    if (!candidates?.length || !episode.encounter) return;
    episode.encounter.procedures = [{ code: this.rng.pick(candidates), at: addMinutes(at, 60) }];
  }

  /** Admission method: from A&E (21), else elective (waiting list, booked, planned) or a direct emergency. */
  private admissionMethod(fromEmergency: boolean): [string, string] {
    if (fromEmergency) return COMMISSIONING.emergencyDepartmentAdmissionMethod;
    const methods = this.rng.chance(COMMISSIONING.electiveShare)
      ? COMMISSIONING.electiveAdmissionMethods
      : COMMISSIONING.directEmergencyAdmissionMethods;
    const [code, display] = this.rng.weighted(methods.map((method) => ({ value: method, weight: method[2] })));
    return [code, display];
  }

  private specialty(): [string, string] {
    const age = this.ageAt(this.windowEnd);
    if (age < 16) return ['420', 'Paediatrics'];
    return this.rng.pick(codeTables.specialties.filter(([code]) => code !== '420' && (code !== '502' || this.person.sex === 'female')));
  }

  private admission(start: Date, fromEpisode: Episode | undefined, fromEmergency: boolean): void {
    const care = codeTables.settings.inpatient;
    const [minLos, maxLos] = care.losDays ?? [1, 7];
    const los = Math.min(maxLos, minLos + this.rng.poisson(3 + this.ageAt(start) / 25));
    const admitted = fromEmergency ? start : this.workingTime(start);
    let discharged = atTime(addDays(admitted, los), this.rng.int(10, 18), this.rng.int(0, 59));
    if (discharged > this.windowEnd) discharged = this.windowEnd;
    if (discharged <= admitted) discharged = addMinutes(admitted, 240);
    const episode = this.newEpisode(this.community.acute, admitted, 0);
    episode.end = discharged;
    episode.encounter = {
      setting: 'inpatient',
      care,
      type: care.type,
      telephone: false,
      specialty: this.specialty(),
      ward: this.rng.pick(codeTables.wards),
      fromEmergency,
      transferWard: this.rng.chance(0.3) ? this.rng.pick(codeTables.wards) : undefined,
      admissionMethod: this.admissionMethod(fromEmergency),
    };
    episode.encounter.treatmentFunction = episode.encounter.specialty;
    if (this.rng.chance(COMMISSIONING.inpatientProcedureChance)) this.procedure(episode, admitted);
    const reason = fromEpisode?.diagnoses[0];
    if (reason) episode.diagnoses.push({ ...reason, recorded: admitted });
    else this.acuteProblem(episode, 'admission', admitted);
    for (const c of this.activeAt(admitted).slice(0, 3)) {
      episode.diagnoses.push({ condition: c.condition, chronic: true, onset: c.onset, recorded: admitted, category: 'encounter-diagnosis' });
    }
    for (const test of care.tests ?? []) episode.labs.push(runLabTest(test, this.physiology, addMinutes(admitted, 30), this.rng));
    for (let day = 1; day < daysBetween(admitted, discharged); day++) {
      if (!this.rng.chance(care.dailyTestsChance ?? 0)) continue;
      const collected = atTime(addDays(admitted, day), 6, this.rng.int(0, 59));
      for (const test of care.dailyTests ?? []) episode.labs.push(runLabTest(test, this.physiology, collected, this.rng));
    }
    this.episodes.push(episode);
  }

  private acuteProblem(episode: Episode, setting: AcuteSetting, at: Date): void {
    const age = this.ageAt(at);
    const year = at.getUTCFullYear();
    const candidates = codeTables.acute.filter(
      (c) =>
        (c.settings[setting] ?? 0) > 0 &&
        (c.minAge === undefined || age >= c.minAge) &&
        (c.maxAge === undefined || age <= c.maxAge) &&
        (c.fromYear === undefined || year >= c.fromYear),
    );
    if (candidates.length === 0) return;
    const condition = this.rng.weighted(candidates.map((c) => ({ value: c, weight: c.weight * (c.settings[setting] ?? 0) })));
    episode.diagnoses.push(this.acuteDiagnosis(condition, at));
    if (condition.medicines.length > 0 && episode.source.kind !== 'acute' && this.rng.chance(0.8)) {
      const key = this.rng.pick(condition.medicines);
      episode.medications.push({ key, row: codeTables.medicines[key], authored: at, status: 'completed', course: 'acute' });
    }
  }

  private acuteDiagnosis(condition: AcuteCondition, at: Date): Diagnosis {
    const onset = addDays(at, -this.rng.int(0, 3));
    return { condition, chronic: false, onset, abatement: addDays(onset, condition.resolveDays), recorded: at, category: 'encounter-diagnosis' };
  }

  private diagnosisVisit(practice: SourceSystem, active: ActiveCondition): void {
    const at = this.workingTime(active.onset);
    const episode = this.newEpisode(practice, at, 15, this.person.usualGp);
    episode.encounter = { setting: 'gp', care: codeTables.settings.gp, type: codeTables.settings.gp.type, telephone: false };
    episode.appointment = this.appointment(at, 15, 'fulfilled');
    episode.diagnoses.push({ condition: active.condition, chronic: true, onset: active.onset, recorded: at, category: 'problem-list-item' });
    this.monitor(episode, active.condition.monitoring, at);
    this.episodes.push(episode);
  }

  private chronicReview(practice: SourceSystem, day: Date, active: ActiveCondition[]): void {
    const at = this.workingTime(day);
    const episode = this.newEpisode(practice, at, 20);
    episode.encounter = { setting: 'gp', care: codeTables.settings.gp, type: codeTables.settings.gp.reviewType ?? codeTables.settings.gp.type, telephone: false };
    episode.appointment = this.appointment(at, 20, 'fulfilled');
    const keys = new Set<string>();
    for (const c of active) for (const key of c.condition.monitoring) keys.add(key);
    if (active.some((c) => c.medicines.includes('warfarin1'))) keys.add('inr');
    this.monitor(episode, [...keys], at);
    this.episodes.push(episode);
  }

  private monitor(episode: Episode, keys: string[], at: Date): void {
    for (const key of keys) {
      if (isLabTest(key)) episode.labs.push(runLabTest(key, this.physiology, addMinutes(at, 5), this.rng));
      else episode.measurements.push(...measureSet(key, this.physiology, at, this.rng));
    }
  }

  /** Repeat prescriptions: every current chronic medicine issued together on the practice's cycle. */
  private repeatPrescriptions(practice: SourceSystem): void {
    const cycle = this.rng.pick(codeTables.repeatIssueDays);
    const starts = this.conditions.filter((c) => c.medicines.length > 0).map((c) => (c.onset > this.windowStart ? c.onset : this.windowStart));
    if (starts.length === 0) return;
    const first = new Date(Math.min(...starts.map((d) => d.getTime())));
    const prescriber = this.person.usualGp;
    let last: Episode | undefined;
    for (let day = addDays(first, 1); day < this.windowEnd; day = addDays(day, cycle + this.rng.int(-2, 3))) {
      const issues: MedicationIssue[] = [];
      for (const c of this.activeAt(day)) {
        for (const key of c.medicines) {
          if (issues.some((m) => m.key === key)) continue;
          issues.push({ key, row: codeTables.medicines[key], authored: day, status: 'completed', course: 'continuous' });
        }
      }
      if (issues.length === 0) continue;
      const at = this.workingTime(day);
      const episode = this.newEpisode(practice, at, 0, prescriber);
      episode.medications = issues.map((m) => ({ ...m, authored: at }));
      this.episodes.push(episode);
      last = episode;
    }
    if (last && !this.person.deceasedDate) for (const m of last.medications) m.status = 'active';
  }

  private medicinesInUse(episode: Episode, at: Date): void {
    for (const c of this.activeAt(at)) {
      for (const key of c.medicines) {
        if (episode.medications.some((m) => m.key === key)) continue;
        episode.medications.push({ key, row: codeTables.medicines[key], authored: at, status: 'active', course: 'continuous', statement: true });
      }
    }
  }

  private immunisations(practice: SourceSystem): void {
    const chronic = this.conditions.length > 0;
    const firstYear = this.windowStart.getUTCFullYear();
    for (const programme of codeTables.programmes) {
      if (programme.chronic && !chronic) continue;
      let givenOnce = false;
      for (let year = firstYear; year <= this.windowEnd.getUTCFullYear(); year++) {
        if (programme.fromYear !== undefined && year < programme.fromYear) continue;
        if (programme.toYear !== undefined && year > programme.toYear) continue;
        const at = this.workingTime(new Date(Date.UTC(year, (programme.month ?? this.rng.int(1, 12)) - 1, this.rng.int(1, 28))));
        if (at < this.windowStart || at > this.windowEnd) continue;
        const age = this.ageAt(at);
        if (age < programme.minAge || (programme.maxAge !== undefined && age > programme.maxAge)) continue;
        if (!this.rng.chance(programme.uptake)) continue;
        const episode = this.newEpisode(practice, at, 0);
        episode.immunisations.push({ vaccineKey: programme.vaccine, at });
        this.episodes.push(episode);
        givenOnce = true;
        if (programme.once && givenOnce) break;
      }
    }
  }

  /** Some people have their next appointment already booked, so "today" has a future. */
  private bookedAppointment(practice: SourceSystem): void {
    if (this.person.deceasedDate || !this.rng.chance(0.3)) return;
    const at = this.workingTime(addDays(this.community.today, this.rng.int(1, 28)));
    const episode = this.newEpisode(practice, at, 10, this.person.usualGp);
    episode.appointment = { status: 'booked', start: at, end: addMinutes(at, 10), created: this.community.today };
    this.episodes.push(episode);
  }

  private appointment(start: Date, minutes: number, status: 'fulfilled' | 'noshow'): AppointmentDetail {
    return { status, start, end: addMinutes(start, minutes), created: addDays(start, -this.rng.int(0, 21)) };
  }
}
