import { Injectable } from '@nestjs/common';
import type { PatientLinkEvent } from '@continuum/fhir';
import { IdentityLinks } from '@continuum/store/identity';
import { rejection, type Rejection } from './inbound-envelope';

/** The actor of the links an A24 makes: an A37 removes these and nothing else. */
const A24_ACTOR = 'hl7v2:A24';

/**
 * HL7 A24 (link patient information) and A37 (unlink) in the master patient index. An A24 makes the second record a
 * MANUAL MATCH of the first record's person, and the first one's link MANUAL too (the matcher never overwrites
 * either). An A37 removes only a link an A24
 * made; a merge (A40, REDIRECT) is never undone by it, nor linked over by an A24: those are refused with a reason.
 * Replays are harmless: linking again changes nothing, and a link already removed is not found again.
 */
@Injectable()
export class PatientLinkApplier {
  constructor(private readonly links: IdentityLinks) {}

  async apply(
    event: PatientLinkEvent,
    source: { sourceSystem: string; messageId: string },
  ): Promise<Rejection | undefined> {
    const pair = [event.patientId, event.otherPatientId];
    for (const [patient, other] of [pair, [...pair].reverse()]) {
      const redirect = (await this.links.linksOf(patient)).find((link) => link.state === 'REDIRECT');
      if (redirect && redirect.personId === (await this.links.personOf(other)))
        return refusal(
          event.action === 'link' ? 'link-of-merged-patient' : 'unlink-of-merge',
          event.action === 'link'
            ? `Patient/${patient} was merged (A40) into the other record: they are one already`
            : `Patient/${patient} was merged (A40) into the other record: an A37 unlinks A24 links only, never a merge`,
        );
    }
    return event.action === 'link' ? this.link(event, source) : this.unlink(event, source);
  }

  private async link(event: PatientLinkEvent, source: { sourceSystem: string; messageId: string }) {
    const person = await this.links.personOf(event.patientId);
    if (!person)
      return refusal(
        'link-unknown-patient',
        `Patient/${event.patientId} has no person in the master patient index`,
      );
    const actor = `${A24_ACTOR}:${source.sourceSystem}:${source.messageId}`;
    // both made MANUAL: the matcher would otherwise re-decide the first record alone and move it off the person
    await this.links.link(event.patientId, person, 'MATCH', {
      actor,
      reason: `${source.sourceSystem} links Patient/${event.otherPatientId} to it (ADT^A24)`,
    });
    await this.links.link(event.otherPatientId, person, 'MATCH', {
      actor,
      reason: `${source.sourceSystem} links it to Patient/${event.patientId} (ADT^A24)`,
    });
    return undefined;
  }

  /** Removes the A24 link between the two, in whichever direction it was made; anything else is left alone. */
  private async unlink(event: PatientLinkEvent, source: { sourceSystem: string; messageId: string }) {
    const pair = [event.patientId, event.otherPatientId];
    for (const [linked, to] of [[...pair].reverse(), pair]) {
      const person = await this.links.personOf(to);
      const link = (await this.links.linksOf(linked)).find(
        (each) => each.personId === person && each.state === 'MATCH' && each.origin === 'MANUAL',
      );
      if (!link) continue;
      const made = (await this.links.history({ patientId: linked }))
        .filter((each) => each.personId === person && each.state === 'MATCH')
        .pop();
      if (!made?.actor.startsWith(A24_ACTOR)) continue;
      await this.links.unlink(linked, person!, {
        actor: `hl7v2:A37:${source.sourceSystem}:${source.messageId}`,
        reason: `${source.sourceSystem} unlinks it from Patient/${to} (ADT^A37)`,
      });
    }
    return undefined;
  }
}

function refusal(code: string, diagnostics: string): Rejection {
  return rejection(code, [{ code: 'business-rule', diagnostics }]);
}
