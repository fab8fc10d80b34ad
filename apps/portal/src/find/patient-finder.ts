import { HttpConfig } from '@continuum/config';
import { IdentifierSystem, normaliseNhsNumber, nhsNumberProblem, parseSearchRequest } from '@continuum/fhir';
import { ResourceStore } from '@continuum/store';
import { Injectable } from '@nestjs/common';
import type { Patient } from 'fhir/r4';

/** What a search by NHS number found: the person's records, or why there is nothing to show. */
export type FindResult =
  | { found: true; patients: Patient[] }
  | { found: false; reason: 'invalid-nhs-number' | 'no-record'; message: string };

/**
 * Finds a person by NHS number through the door (the caller's access applies: a record they may not see is not
 * found). The number's check digit is validated first, so a mistyped number is told apart from an unknown one.
 */
@Injectable()
export class PatientFinder {
  private readonly baseUrl: string;

  constructor(
    private readonly store: ResourceStore,
    http: HttpConfig,
  ) {
    this.baseUrl = http.fhirBaseUrl.replace(/\/$/, '');
  }

  async byNhsNumber(input: string): Promise<FindResult> {
    const problem = nhsNumberProblem(input);
    if (problem)
      return {
        found: false,
        reason: 'invalid-nhs-number',
        message: problem.replace(/^NHS number '[^']*'/, 'The NHS number'),
      };
    const request = parseSearchRequest(
      'Patient',
      [
        ['identifier', `${IdentifierSystem.nhsNumber}|${normaliseNhsNumber(input)}`],
        ['_count', '50'],
      ],
      { baseUrl: this.baseUrl, strict: true },
    );
    const { matches } = await this.store.search(request, { baseUrl: this.baseUrl });
    if (!matches.length)
      return { found: false, reason: 'no-record', message: 'No record was found for this NHS number' };
    return { found: true, patients: matches.map((match) => match.content as Patient) };
  }
}
