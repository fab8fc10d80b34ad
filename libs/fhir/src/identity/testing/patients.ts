import type { Identifier, Patient } from 'fhir/r4';
import { IdentifierSystem, UkCoreExtension } from '../../identifier-systems';
import { demographicsOf } from '../demographics';
import { prepare, type PreparedRecord } from '../prepared-record';

/** Valid NHS numbers from the 999 test range (modulus 11 check digit). */
export const NHS_NUMBERS = [
  '9991000003',
  '9991158383',
  '9991237577',
  '9991316760',
  '9991395954',
  '9991475141',
  '9991554335',
  '9991633529',
] as const;

export interface PatientFacts {
  id?: string;
  nhs?: string;
  /** UK Core verification status code; '01' is verified (the default when an NHS number is given). */
  nhsStatus?: string | null;
  /** NHS numbers the record marks as no longer in use (`use: old`). */
  oldNhs?: string[];
  given?: string[];
  family?: string;
  birthDate?: string;
  postcode?: string;
  gender?: Patient['gender'];
}

/** A source Patient as a feed would send it. */
export function aPatient(facts: PatientFacts): Patient {
  const identifier: Identifier[] = [];
  if (facts.nhs)
    identifier.push(nhsIdentifier(facts.nhs, facts.nhsStatus === undefined ? '01' : facts.nhsStatus));
  for (const old of facts.oldNhs ?? []) identifier.push({ ...nhsIdentifier(old, null), use: 'old' });
  return {
    resourceType: 'Patient',
    ...(facts.id ? { id: facts.id } : {}),
    identifier,
    name: [{ use: 'official', family: facts.family, given: facts.given }],
    ...(facts.gender ? { gender: facts.gender } : {}),
    ...(facts.birthDate ? { birthDate: facts.birthDate } : {}),
    ...(facts.postcode ? { address: [{ use: 'home', postalCode: facts.postcode }] } : {}),
  };
}

/** The prepared record of such a Patient. */
export function aRecord(facts: PatientFacts): PreparedRecord {
  return prepare(demographicsOf(aPatient(facts)));
}

function nhsIdentifier(value: string, status: string | null): Identifier {
  return {
    ...(status
      ? {
          extension: [
            {
              url: UkCoreExtension.nhsNumberVerificationStatus,
              valueCodeableConcept: {
                coding: [
                  {
                    system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland',
                    code: status,
                  },
                ],
              },
            },
          ],
        }
      : {}),
    system: IdentifierSystem.nhsNumber,
    value,
  };
}
