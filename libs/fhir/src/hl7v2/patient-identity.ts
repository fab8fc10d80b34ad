import type { Identifier } from 'fhir/r4';
import { IdentifierSystem, UkCoreExtension, localIdentifierSystem } from '../identifier-systems';
import { isValidNhsNumber, nhsNumberProblem, normaliseNhsNumber } from '../nhs-number';
import { NHS_NUMBER_STATUS, NHS_NUMBER_STATUS_SYSTEM } from './hl7-code-tables';
import type { Hl7Repetition } from './hl7-message';
import type { MappingContext } from './mapping-context';

/** A patient's identifiers from a CX list (PID-3, MRG-1), and the key its deterministic id is made from. */
export interface PatientIdentity {
  identifiers: Identifier[];
  /** The source's local patient id, or the NHS number when the source sent nothing else. */
  key: string;
}

/** Identifier types that name the source's own record number, preferred as the key. */
const RECORD_NUMBER_TYPES = new Set(['MR', 'PI', 'PT']);

export function isNhsNumberCx(cx: Hl7Repetition): boolean {
  return cx.get(4, 1).toUpperCase() === 'NHS' || ['NH', 'NHS'].includes(cx.get(5).toUpperCase());
}

/**
 * Reads identifiers; an invalid NHS number is a problem (the platform refuses them) reported at `expression`.
 * `olderExternalId` is PID-2, where v2.3 feeds put the NHS number without saying so.
 */
export function patientIdentity(
  ctx: MappingContext,
  cxList: Hl7Repetition[],
  expression: string,
  options: { olderExternalId?: Hl7Repetition; verificationStatus?: string } = {},
): PatientIdentity | undefined {
  const problemsBefore = ctx.problems.length;
  const nhsNumbers = new Set<string>();
  const locals: { cx: Hl7Repetition; identifier: Identifier }[] = [];

  const readNhsNumber = (raw: string, where: string) => {
    const problem = nhsNumberProblem(raw);
    if (problem) ctx.invalid(where, `${where}: ${problem}`);
    else nhsNumbers.add(normaliseNhsNumber(raw));
  };

  for (const cx of cxList) {
    const value = cx.get(1);
    if (!value) continue;
    if (isNhsNumberCx(cx)) {
      readNhsNumber(value, expression);
    } else {
      const kind = cx.get(4, 1) || cx.get(5) || 'patient-id';
      locals.push({ cx, identifier: { system: localIdentifierSystem(ctx.sourceSystem, kind), value } });
    }
  }

  const external = options.olderExternalId;
  if (external && external.get(1)) {
    const value = external.get(1);
    // v2.3 feeds carry the NHS number in PID-2 without an authority: ten digits there is taken as one
    if (isNhsNumberCx(external) || (!external.get(4, 1) && /^\d{10}$/.test(normaliseNhsNumber(value)))) {
      readNhsNumber(value, 'PID-2');
    } else {
      const kind = external.get(4, 1) || 'external-id';
      locals.push({
        cx: external,
        identifier: { system: localIdentifierSystem(ctx.sourceSystem, kind), value },
      });
    }
  }

  if (nhsNumbers.size > 1) {
    ctx.invalid(
      expression,
      `${expression} carries ${nhsNumbers.size} different NHS numbers: ${[...nhsNumbers].join(', ')}`,
    );
    return undefined;
  }
  const [nhsNumber] = nhsNumbers;
  const keyed = locals.find(({ cx }) => RECORD_NUMBER_TYPES.has(cx.get(5).toUpperCase())) ?? locals[0];
  const key = keyed?.identifier.value ?? nhsNumber;
  if (!key) {
    if (ctx.problems.length === problemsBefore)
      ctx.invalid(expression, `${expression} has no patient identifier`, 'required');
    return undefined;
  }
  const identifiers: Identifier[] = [];
  if (nhsNumber && isValidNhsNumber(nhsNumber))
    identifiers.push(nhsNumberIdentifier(nhsNumber, options.verificationStatus));
  identifiers.push(...locals.map(({ identifier }) => identifier));
  return { identifiers, key };
}

function nhsNumberIdentifier(value: string, status: string | undefined): Identifier {
  const display = status ? NHS_NUMBER_STATUS[status] : undefined;
  return {
    ...(status && display
      ? {
          extension: [
            {
              url: UkCoreExtension.nhsNumberVerificationStatus,
              valueCodeableConcept: { coding: [{ system: NHS_NUMBER_STATUS_SYSTEM, code: status, display }] },
            },
          ],
        }
      : {}),
    system: IdentifierSystem.nhsNumber,
    value,
  };
}

/** PID-32 identity reliability: NHS feeds send the NHS number status as NSTS01..NSTS08 (NHS table 0445). */
export function nhsNumberStatus(reliabilityCodes: Hl7Repetition[]): string | undefined {
  for (const code of reliabilityCodes) {
    const match = /^(?:NSTS)?(0[1-8])$/.exec(code.get(1).toUpperCase());
    if (match) return match[1];
  }
  return undefined;
}
