import type { FhirResource, Patient } from 'fhir/r4';
import topics from '@continuum/messaging/topics.json';
import { codeTables } from './data/code-tables';
import { createCommunity } from './community/community.factory';
import type { Community, SourceSystem } from './community/community.model';
import { addDays, addMinutes, parseDate } from './clinical/dates';
import type { Episode } from './clinical/episode.model';
import { TimelineFactory } from './clinical/timeline.factory';
import { EpisodeMapper } from './fhir/episode.mapper';
import { patientOf } from './fhir/patient.mapper';
import { PasMessageBuilder } from './hl7/pas-message.builder';
import { ALL_FORMATS, type DirectoryOutput, type KafkaRecord, type OutputFormat, type PersonOutput, type SerialisedResource } from './output/output.model';
import { serialise, transactionBundle, type TransactionEntry } from './output/serialisation';
import { createPerson } from './person/person.factory';
import type { Person, SourceView } from './person/person.model';
import { createSourceView, localIdOf } from './person/source-view.factory';
import { Random } from './random/random';

export interface GeneratorOptions {
  seed: string;
  /** Reference "today" (YYYY-MM-DD); history runs ten years back from it. */
  today?: string;
  formats?: OutputFormat[];
  /** Share of non-GP source records with demographic faults. */
  noiseShare?: number;
}

export const DEFAULT_TODAY = '2026-01-01';
const FHIR_JSON = 'application/fhir+json';
const HL7_ER7 = 'x-application/hl7-v2+er7';

/**
 * The synthetic integration community for a seed. Person i depends only on (seed, i): generate any range, in any
 * chunks, and the same person comes out byte for byte.
 */
export class CommunityGenerator {
  readonly community: Community;
  private readonly formats: Set<OutputFormat>;
  private readonly noiseShare: number;

  constructor(private readonly options: GeneratorOptions) {
    this.community = createCommunity(options.seed, parseDate(options.today ?? DEFAULT_TODAY));
    this.formats = new Set(options.formats ?? ALL_FORMATS);
    this.noiseShare = options.noiseShare ?? codeTables.noiseShare;
  }

  directory(): DirectoryOutput {
    const resources = this.community.directory.map(serialise);
    const out: DirectoryOutput = { resources, messages: [] };
    const put = (r: SerialisedResource): TransactionEntry => ({ resource: r, method: 'PUT', url: `${r.resourceType}/${r.id}`, keepId: true });
    if (this.formats.has('kafka')) {
      for (const source of this.community.sources) {
        const own = resources.filter(
          (r) => r.id === source.organisationId || r.id === source.locationId || source.clinicians.some((c) => c.id === r.id),
        );
        out.messages.push(this.fhirMessage(source, source.organisationId, `${source.odsCode}-directory`, transactionBundle(own.map(put)), 0));
      }
    }
    if (this.formats.has('bundles')) out.bundle = transactionBundle(resources.map(put));
    return out;
  }

  /** Everything about person `index`, generated from its own stream. */
  person(index: number): PersonOutput {
    const rng = Random.of(this.options.seed, 'person', index);
    const ids = Random.of(this.options.seed, 'ids', index);
    const person = createPerson(this.community, index, rng);
    const episodes = new TimelineFactory(this.community, person, rng).build();
    const views = this.viewsOf(person, episodes, rng, ids);
    const resources: SerialisedResource[] = [];
    const messages: KafkaRecord[] = [];
    const bundleEntries: TransactionEntry[] = [];
    const kafka = this.formats.has('kafka');

    for (const view of views) {
      const own = episodes.filter((e) => e.source === view.source);
      const serial = { n: 0 };
      const patients = this.patientsOf(person, view);
      for (const p of patients) {
        const s = serialise(p);
        resources.push(s);
        bundleEntries.push({ resource: s, method: 'POST', url: 'Patient', ifNoneExist: `identifier=${view.source.patientIdSystem}|${p.identifier?.at(-1)?.value}` });
      }
      const pas = view.source.format === 'hl7v2' ? new PasMessageBuilder(person, view) : undefined;
      if (kafka && !pas) messages.push(this.patientMessage(view, serialise(patients[0]), own[0]?.start ?? this.community.today));
      let merged = false;
      let messageSerial = 0;
      for (const episode of own) {
        const mapped = new EpisodeMapper(episode, {
          patientId: episode.underDuplicate ? view.duplicate!.patientId : view.patientId,
          localId: episode.underDuplicate ? view.duplicate!.localId : view.localId,
          ids,
          nextSerial: () => ++serial.n,
          lab: this.community.acute,
          today: this.community.today,
        }).map();
        const serialised = mapped.map(serialise);
        resources.push(...serialised);
        for (const s of serialised) bundleEntries.push({ resource: s, method: 'POST', url: s.resourceType });
        if (!kafka) continue;
        if (pas) {
          if (view.duplicate && !episode.underDuplicate && !merged) {
            messages.push(this.hl7Message(view, pas.merge(addMinutes(episode.start, -60))));
            merged = true;
          }
          messages.push(...this.pasMessages(view, pas, episode, mapped, rng));
        } else if (serialised.length > 0) {
          const entries = serialised.map((s, i): TransactionEntry => ({ resource: s, method: 'POST', url: s.resourceType, ifNoneExist: identifierQuery(mapped[i]) }));
          const patientReference = { from: `"reference":"Patient/${view.patientId}"`, to: `"reference":"Patient?identifier=${view.source.patientIdSystem}|${view.localId}"` };
          messages.push(this.fhirMessage(view.source, routingKey(view), `${view.localId}.${++messageSerial}`, transactionBundle(entries, patientReference), episode.start.getTime()));
        }
      }
      if (kafka && pas && this.community.today > (own.at(-1)?.end ?? this.community.today) && rng.chance(0.1)) {
        messages.push(this.hl7Message(view, pas.update('A31', addDays(own.at(-1)!.end, 2))));
      }
    }
    messages.sort((a, b) => a.at - b.at);
    return {
      key: person.key,
      resources,
      messages,
      bundle: this.formats.has('bundles') ? transactionBundle(bundleEntries) : undefined,
      truth: JSON.stringify({
        person: person.key,
        nhsNumber: person.nhsNumber,
        sources: views.map((v) => ({
          source: v.source.id,
          localId: v.localId,
          patient: v.patientId,
          ...(v.duplicate ? { duplicate: v.duplicate } : {}),
          noise: v.noise,
        })),
      }),
    };
  }

  /** One view per source that saw the person; the acute trust may hold a duplicate registration. */
  private viewsOf(person: Person, episodes: Episode[], rng: Random, ids: Random): SourceView[] {
    const sources = new Set<SourceSystem>(episodes.map((e) => e.source));
    if (person.practice) sources.add(person.practice);
    const views = this.community.sources.filter((s) => sources.has(s)).map((s) => createSourceView(this.options.seed, person, s, this.noiseShare, ids));
    const acute = views.find((v) => v.source.kind === 'acute');
    if (acute) this.acuteRecordKeeping(acute, person, episodes, rng, ids);
    return views;
  }

  /**
   * The trust records the allergies it is told at the first attendance; about 1.5% of its patients first arrive
   * through A&E under a temporary number, merged later (ADT^A40).
   */
  private acuteRecordKeeping(view: SourceView, person: Person, episodes: Episode[], rng: Random, ids: Random): void {
    const acuteEpisodes = episodes.filter((e) => e.source === view.source && e.encounter);
    const known = episodes.find((e) => e.allergies.length > 0)?.allergies ?? [];
    if (acuteEpisodes.length > 0 && known.length > 0) acuteEpisodes[0].allergies = known.map((a) => ({ ...a }));
    if (acuteEpisodes.length >= 2 && acuteEpisodes[0].encounter?.setting === 'emergency' && rng.chance(0.015)) {
      view.duplicate = { localId: localIdOf(this.options.seed, view.source, person.index, '/temporary'), patientId: ids.uuid() };
      const first = acuteEpisodes[0];
      first.underDuplicate = true;
      for (const e of episodes) {
        if (e.source === view.source && e.start.getTime() === first.end.getTime() && e.encounter?.fromEmergency) e.underDuplicate = true;
      }
    }
  }

  private patientsOf(person: Person, view: SourceView): Patient[] {
    const main = patientOf(person, view, view.patientId);
    if (!view.duplicate) return [main];
    const duplicate = patientOf(person, view, view.duplicate.patientId, view.duplicate.localId);
    duplicate.active = false;
    duplicate.link = [{ other: { reference: `Patient/${view.patientId}` }, type: 'replaced-by' }];
    return [main, duplicate];
  }

  private pasMessages(view: SourceView, pas: PasMessageBuilder, episode: Episode, mapped: FhirResource[], rng: Random): KafkaRecord[] {
    const out: KafkaRecord[] = [];
    const encounter = mapped.find((r) => r.resourceType === 'Encounter');
    const visitId = encounter?.resourceType === 'Encounter' ? encounter.identifier?.[0]?.value : undefined;
    if (visitId) {
      for (const m of pas.adtFor(episode, visitId)) out.push(this.hl7Message(view, m, episode.underDuplicate));
      if (episode.encounter?.setting === 'inpatient' && rng.chance(0.2)) {
        out.push(this.hl7Message(view, pas.update('A08', addMinutes(episode.start, 90), episode, visitId), episode.underDuplicate));
      }
    }
    const reports = mapped.filter((r) => r.resourceType === 'DiagnosticReport');
    episode.labs.forEach((lab, i) => {
      const report = reports[i];
      const order = report?.resourceType === 'DiagnosticReport' ? (report.identifier?.[0]?.value ?? `${view.localId}-${i}`) : `${view.localId}-${i}`;
      out.push(this.hl7Message(view, pas.oru(lab, episode, visitId, order.replace(/-/g, '')), episode.underDuplicate));
    });
    return out;
  }

  private hl7Message(view: SourceView, m: { text: string; controlId: string; at: Date }, underDuplicate = false): KafkaRecord {
    const key = !underDuplicate && view.nhsNumber ? view.nhsNumber : `${view.source.id}:${underDuplicate ? view.duplicate!.localId : view.localId}`;
    return {
      topic: topics.hl7v2Inbound.name,
      key,
      headers: { 'source-system': view.source.id, 'message-id': m.controlId, 'content-type': HL7_ER7 },
      value: m.text,
      at: m.at.getTime(),
    };
  }

  private patientMessage(view: SourceView, patient: SerialisedResource, at: Date): KafkaRecord {
    const query = `Patient?identifier=${view.source.patientIdSystem}|${view.localId}`;
    const bundle = transactionBundle([{ resource: patient, method: 'PUT', url: query }]);
    return this.fhirMessage(view.source, routingKey(view), `${view.localId}.0`, bundle, at.getTime() - 60_000);
  }

  private fhirMessage(source: SourceSystem, key: string, messageId: string, value: string, at: number): KafkaRecord {
    return {
      topic: topics.fhirInbound.name,
      key,
      headers: { 'source-system': source.id, 'message-id': messageId, 'content-type': FHIR_JSON },
      value,
      at,
    };
  }
}

/** The patient routing key: the NHS number when the source knows it, else the source's own id for the person. */
function routingKey(view: SourceView): string {
  return view.nhsNumber ?? `${view.source.id}:${view.localId}`;
}

function identifierQuery(resource: FhirResource): string | undefined {
  const identifier = 'identifier' in resource && Array.isArray(resource.identifier) ? resource.identifier[0] : undefined;
  return identifier?.system && identifier.value ? `identifier=${identifier.system}|${identifier.value}` : undefined;
}
