import type { Identifier, Location, Organization, Practitioner, Reference } from 'fhir/r4';
import { IdentifierSystem, localIdentifierSystem } from '../identifier-systems';
import { xcnName } from './datatype.mappers';
import type { Hl7Repetition } from './hl7-message';
import type { MappingContext } from './mapping-context';

/**
 * Practitioners, organisations and locations named in a message become resources of their own with deterministic
 * ids (no contained resources), so every message that names the same consultant or ward points at the same one.
 */

const GMC_NUMBER_SYSTEM = 'https://fhir.hl7.org.uk/Id/gmc-number';
/** ODS organisation codes are 3 to 5 letters and digits (site codes 5); anything else is a local facility name. */
const ODS_CODE = /^[A-Z0-9]{3,6}$/;

/** XCN (id^family^given^...^assigning authority in component 9) as a Practitioner; a name alone gives a display-only reference. */
export function practitionerReference(ctx: MappingContext, xcn: Hl7Repetition): Reference | undefined {
  const value = xcn.get(1);
  const name = xcnName(xcn);
  const display = name
    ? [name.prefix?.[0], ...(name.given ?? []), name.family].filter(Boolean).join(' ')
    : undefined;
  if (!value) return display ? { display } : undefined;
  const identifier = practitionerIdentifier(ctx.sourceSystem, value, xcn.get(9, 1));
  const practitioner: Practitioner & { id: string } = {
    resourceType: 'Practitioner',
    id: ctx.id('Practitioner', `${identifier.system}|${identifier.value}`),
    identifier: [identifier],
    ...(name ? { name: [name] } : {}),
  };
  return { reference: ctx.add(practitioner), ...(display ? { display } : {}) };
}

/**
 * A 7-digit GMC number is national; consultant and GP codes (C1234567, G1234567, which NHS feeds also label "GMC")
 * and anything else keep the sender's assigning authority as a local system.
 */
function practitionerIdentifier(sourceSystem: string, value: string, authority: string): Identifier {
  const upper = authority.toUpperCase();
  if (upper === 'GMC' && /^\d{7}$/.test(value)) return { system: GMC_NUMBER_SYSTEM, value };
  if (upper === 'NMC') return { system: IdentifierSystem.nmcNumber, value };
  if (upper === 'SDS') return { system: IdentifierSystem.sdsUserId, value };
  return { system: localIdentifierSystem(sourceSystem, authority || 'practitioner'), value };
}

/** An organisation known by a code: an ODS code when it looks like one, a local facility id otherwise. */
export function organizationReference(
  ctx: MappingContext,
  code: string,
  name?: string,
): Reference | undefined {
  if (!code && !name) return undefined;
  if (!code) return { display: name };
  const system = ODS_CODE.test(code)
    ? IdentifierSystem.odsOrganisationCode
    : localIdentifierSystem(ctx.sourceSystem, 'facility');
  const organization: Organization & { id: string } = {
    resourceType: 'Organization',
    id: ctx.id('Organization', `${system}|${code}`),
    identifier: [{ system, value: code }],
    ...(name ? { name } : {}),
  };
  return { reference: ctx.add(organization), ...(name ? { display: name } : {}) };
}

const PHYSICAL_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/location-physical-type';

/** PL: point of care^room^bed^facility^status^type^building^floor^description, most specific part decides the type. */
export function locationReference(
  ctx: MappingContext,
  pl: Hl7Repetition,
  managingOrganization?: Reference,
): Reference | undefined {
  const [pointOfCare, room, bed, facility, building, floor] = [
    pl.get(1),
    pl.get(2),
    pl.get(3),
    pl.get(4, 1),
    pl.get(7),
    pl.get(8),
  ];
  const parts = [facility, building, floor, pointOfCare, room, bed];
  if (parts.every((part) => !part)) return undefined;
  const key = parts.join('|');
  const name = pl.get(9) || [pointOfCare, room, bed].filter(Boolean).join(' ') || facility;
  const physicalType = bed
    ? ['bd', 'Bed']
    : room
      ? ['ro', 'Room']
      : pointOfCare
        ? ['wa', 'Ward']
        : ['si', 'Site'];
  const location: Location & { id: string } = {
    resourceType: 'Location',
    id: ctx.id('Location', key),
    identifier: [
      { system: localIdentifierSystem(ctx.sourceSystem, 'location'), value: parts.filter(Boolean).join('/') },
    ],
    status: 'active',
    mode: 'instance',
    name,
    physicalType: {
      coding: [{ system: PHYSICAL_TYPE_SYSTEM, code: physicalType[0], display: physicalType[1] }],
    },
    ...(managingOrganization?.reference
      ? { managingOrganization: { reference: managingOrganization.reference } }
      : {}),
  };
  return { reference: ctx.add(location), display: name };
}
