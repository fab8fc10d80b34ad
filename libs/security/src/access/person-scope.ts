import type { PersonQueries } from '@continuum/store';
import type { AccessContext } from './access-context';

/**
 * A patient/ token reaches the person, not the fragment (issue #13): its `patient` claim is one source's record,
 * and the token's patients become every record the master patient index links to it (MATCH, or REDIRECT after a
 * merge). Everything that asks `tokenPerson()` (searches, reads, writes, the caller's view) then follows the
 * person. POSSIBLE_MATCH links never widen a token.
 */
export class PersonScope {
  constructor(private readonly persons: PersonQueries) {}

  async widen(access: AccessContext): Promise<AccessContext> {
    if (!access.patientIds?.length) return access;
    return { ...access, patientIds: await this.persons.expand(access.patientIds) };
  }
}
