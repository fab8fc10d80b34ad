import type { Address, CodeableConcept, Coding, ContactPoint, HumanName } from 'fhir/r4';
import { CONTINUUM_URI_BASE, localIdentifierSystem } from '../identifier-systems';
import { CODING_SYSTEMS } from './hl7-code-tables';
import type { Hl7Repetition } from './hl7-message';

/** HL7 v2 composite data types (CE/CWE, XPN, XAD, XTN) as FHIR data types. */

/**
 * The code system URI for a coding system name the platform does not know (or none): local to the source, under
 * the same slug rules as its local identifier systems, so the code keeps its meaning without a false global system.
 */
export function localCodeSystem(sourceSystem: string, name: string): string {
  const slugPath = localIdentifierSystem(sourceSystem, name).slice(`${CONTINUUM_URI_BASE}/Id/`.length);
  return `${CONTINUUM_URI_BASE}/CodeSystem/${slugPath}`;
}

export function codingSystem(sourceSystem: string, name: string): string {
  return CODING_SYSTEMS[name.trim().toUpperCase()] ?? localCodeSystem(sourceSystem, name || 'local');
}

/** CE/CWE/CNE: identifier^text^coding system, then the alternate triple in components 4-6. */
export function codeableConcept(sourceSystem: string, ce: Hl7Repetition): CodeableConcept | undefined {
  const codings: Coding[] = [];
  for (const offset of [0, 3]) {
    const code = ce.get(1 + offset);
    const display = ce.get(2 + offset);
    if (code) {
      codings.push({
        system: codingSystem(sourceSystem, ce.get(3 + offset)),
        code,
        ...(display ? { display } : {}),
      });
    }
  }
  const text = ce.get(2) || ce.get(5);
  if (codings.length === 0 && !text) return undefined;
  return { ...(codings.length ? { coding: codings } : {}), ...(text ? { text } : {}) };
}

/** The key of a coded value for deterministic ids: system|code, or the text when nothing is coded. */
export function conceptKey(concept: CodeableConcept): string {
  const coding = concept.coding?.[0];
  return coding
    ? `${coding.system ?? ''}|${coding.code ?? ''}`
    : `text|${(concept.text ?? '').toLowerCase()}`;
}

const NAME_USE: Record<string, HumanName['use']> = {
  L: 'official',
  D: 'usual',
  M: 'maiden',
  B: 'old',
  N: 'nickname',
  A: 'anonymous',
  S: 'anonymous',
};

/** XPN: family^given^middle^suffix^prefix^degree^name type. */
export function humanName(xpn: Hl7Repetition): HumanName | undefined {
  const family = xpn.get(1, 1); // FN.1 surname; a 2.5 FN keeps prefixes in later subcomponents
  const given = [xpn.get(2), ...xpn.get(3).split(' ')].filter(Boolean);
  const prefix = xpn.get(5);
  const suffix = xpn.get(4);
  if (!family && given.length === 0) return undefined;
  const use = NAME_USE[xpn.get(7).toUpperCase()];
  return {
    ...(use ? { use } : {}),
    ...(family ? { family } : {}),
    ...(given.length ? { given } : {}),
    ...(prefix ? { prefix: [prefix] } : {}),
    ...(suffix ? { suffix: [suffix] } : {}),
  };
}

/** XCN name part (components 2-7): family^given^middle^suffix^prefix^degree, shifted by one from XPN. */
export function xcnName(xcn: Hl7Repetition): HumanName | undefined {
  return humanName({
    get: (index, sub) => (index >= 7 ? '' : xcn.get(index + 1, sub)),
    text: xcn.text,
    empty: xcn.empty,
  });
}

const ADDRESS_USE: Record<string, Address['use']> = {
  H: 'home',
  B: 'work',
  O: 'work',
  C: 'temp',
  BA: 'billing',
};

/** XAD: street^other designation^city^state/county^postcode^country^type. NHS feeds fill lines 1-4 then postcode. */
export function address(xad: Hl7Repetition): Address | undefined {
  const line = [xad.get(1, 1), xad.get(2)].filter(Boolean);
  const city = xad.get(3);
  const district = xad.get(4);
  const postalCode = xad.get(5);
  const country = xad.get(6);
  if (line.length === 0 && !city && !district && !postalCode) return undefined;
  const use = ADDRESS_USE[xad.get(7).toUpperCase()];
  return {
    ...(use ? { use } : {}),
    ...(line.length ? { line } : {}),
    ...(city ? { city } : {}),
    ...(district ? { district } : {}),
    ...(postalCode ? { postalCode } : {}),
    ...(country ? { country } : {}),
  };
}

/** XTN: number^use^equipment^email^country^area^local^extension. `defaultUse` comes from the field (home or business). */
export function contactPoint(xtn: Hl7Repetition, defaultUse: ContactPoint['use']): ContactPoint | undefined {
  const equipment = xtn.get(3).toUpperCase();
  const email = xtn.get(4);
  const composed = [xtn.get(5) && `+${xtn.get(5)}`, xtn.get(6), xtn.get(7)].filter(Boolean).join(' ');
  const number = xtn.get(1) || composed;
  if (equipment === 'INTERNET' || xtn.get(2).toUpperCase() === 'NET') {
    const value = email || number;
    return value ? { system: 'email', value, use: defaultUse } : undefined;
  }
  if (!number) return undefined;
  const system: ContactPoint['system'] = equipment === 'FX' ? 'fax' : equipment === 'BP' ? 'pager' : 'phone';
  const use: ContactPoint['use'] = equipment === 'CP' ? 'mobile' : defaultUse;
  return { system, value: number, use };
}
