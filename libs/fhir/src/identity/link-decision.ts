import type { MatchDecision, MatchScore } from './scoring';

/** One stored record compared with the incoming one, and the person that record belongs to. */
export interface ScoredCandidate {
  personId: string;
  patientId: string;
  score: MatchScore;
}

/** What the master patient index should record for the incoming patient and one person. */
export interface PersonProposal {
  personId: string;
  state: Exclude<MatchDecision, 'NO_MATCH'>;
  /** The best record's probability. */
  probability: number;
  /** The record that decided, with its explanation. */
  patientId: string;
  score: MatchScore;
}

/**
 * From record-to-record scores to the patient's links to persons. A person is one human, so:
 * - a person any of whose records the hard rules say never to link (two different verified NHS numbers) is not
 *   proposed at all;
 * - otherwise the person's best record speaks for it;
 * - exactly one person at MATCH links; two or more at MATCH are left to a reviewer (all POSSIBLE_MATCH), since
 *   linking to one would silently hide that the index may hold a duplicate person.
 * An empty answer means no one: the patient is a person of its own.
 */
export function proposeLinks(candidates: readonly ScoredCandidate[]): PersonProposal[] {
  const best = new Map<string, ScoredCandidate>();
  const excluded = new Set<string>();
  for (const candidate of candidates) {
    if (candidate.score.explanation.rules.some((rule) => rule.effect === 'never-link'))
      excluded.add(candidate.personId);
    const current = best.get(candidate.personId);
    if (!current || candidate.score.probability > current.score.probability)
      best.set(candidate.personId, candidate);
  }
  const proposals = [...best.values()]
    .filter((candidate) => !excluded.has(candidate.personId) && candidate.score.decision !== 'NO_MATCH')
    .sort((a, b) => b.score.probability - a.score.probability || a.personId.localeCompare(b.personId))
    .map((candidate): PersonProposal => ({
      personId: candidate.personId,
      state: candidate.score.decision === 'MATCH' ? 'MATCH' : 'POSSIBLE_MATCH',
      probability: candidate.score.probability,
      patientId: candidate.patientId,
      score: candidate.score,
    }));
  const matches = proposals.filter((proposal) => proposal.state === 'MATCH');
  return matches.length > 1
    ? proposals.map((proposal) => ({ ...proposal, state: 'POSSIBLE_MATCH' }))
    : proposals;
}
