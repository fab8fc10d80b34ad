import {
  DEFAULT_MATCH_MODEL,
  demographicsOf,
  MATCH_GRADE_EXTENSION,
  type MatchModel,
  type MatchScore,
  parseSearchRequest,
  prepare,
  score,
} from '@continuum/fhir';
import type { ResourceStore } from '@continuum/store';
import { type BlockIndex, type BlockQueryRunner, hashedBlockKeysOf } from '@continuum/store/identity';
import type { Bundle, BundleEntry, Patient } from 'fhir/r4';
import type { MatchRequest } from './match-parameters';

export interface PatientMatchOptions {
  model?: MatchModel;
  /** Stored records scored at most (those sharing most blocking keys first), as the linker does. */
  maxCandidates?: number;
}

interface ScoredPatient {
  patient: Patient;
  /** The person the record is, or the record itself when the index has not linked it yet. */
  person: string;
  score: MatchScore;
}

/**
 * `Patient/$match` (IHE ITI-119): the stored Patients that may be the one given, best first. Candidates come from
 * the blocking-key index (index look-ups by hashed key, no scan, so the cost does not grow with the store), are
 * read through the caller's door (the secured ResourceStore: scopes, a patient/ token's compartment, consent; the
 * read is audited with the records it reached) and scored by the pure matcher. `search.score` is the model's
 * posterior probability (see docs/identity.md); the match-grade extension carries the IHE grade.
 */
export class PatientMatchService {
  private readonly model: MatchModel;
  private readonly maxCandidates: number;

  constructor(
    private readonly store: ResourceStore,
    private readonly blocks: BlockIndex,
    private readonly db: BlockQueryRunner,
    options: PatientMatchOptions = {},
  ) {
    this.model = options.model ?? DEFAULT_MATCH_MODEL;
    this.maxCandidates = options.maxCandidates ?? 200;
  }

  async match(request: MatchRequest, baseUrl: string): Promise<Bundle> {
    const scored = await this.scored(request.patient, baseUrl);
    const kept = request.onlyCertainMatches ? onlyCertain(scored) : scored;
    const entries = kept.slice(0, request.count).map((found) => entryOf(found, baseUrl));
    return { resourceType: 'Bundle', type: 'searchset', total: entries.length, entry: entries };
  }

  /** Every candidate the caller may see that the matcher does not rule out, best first. */
  private async scored(patient: Patient, baseUrl: string): Promise<ScoredPatient[]> {
    const me = prepare(demographicsOf(patient));
    const keys = await this.blocks.uncrowded(this.db, hashedBlockKeysOf(me));
    const candidates = await this.blocks.candidates(this.db, keys, { limit: this.maxCandidates });
    if (!candidates.length) return [];
    const personOf = new Map(candidates.map((candidate) => [candidate.patientId, candidate.personId]));
    const visible = await this.store.search(
      parseSearchRequest(
        'Patient',
        [
          ['_id', [...personOf.keys()].join(',')],
          ['_count', String(personOf.size)],
        ],
        { baseUrl, strict: true },
      ),
      { baseUrl },
    );
    return visible.matches
      .map((found) => {
        const stored = found.content as Patient;
        return {
          patient: stored,
          person: personOf.get(found.id) ?? `patient:${found.id}`,
          score: score(me, prepare(demographicsOf(stored)), this.model),
        };
      })
      .filter((found) => found.score.decision !== 'NO_MATCH')
      .sort(
        (a, b) =>
          b.score.probability - a.score.probability || (a.patient.id ?? '').localeCompare(b.patient.id ?? ''),
      );
  }
}

/**
 * `onlyCertainMatches`: the certain matches, provided they are one person (the records of that person across
 * sources); certain matches to two persons are ambiguous, and none is returned.
 */
function onlyCertain(scored: ScoredPatient[]): ScoredPatient[] {
  const certain = scored.filter((found) => found.score.grade === 'certain');
  return new Set(certain.map((found) => found.person)).size > 1 ? [] : certain;
}

function entryOf(found: ScoredPatient, baseUrl: string): BundleEntry {
  return {
    fullUrl: `${baseUrl}/Patient/${found.patient.id}`,
    resource: found.patient,
    search: {
      mode: 'match',
      score: found.score.probability,
      extension: [{ url: MATCH_GRADE_EXTENSION, valueCode: found.score.grade }],
    },
  };
}
