import { ucumUtils } from 'fhirpath';

/** The UCUM system URI. */
export const UCUM = 'http://unitsofmeasure.org';

interface BaseUnits {
  status: string;
  magnitude?: number;
  unitToExp?: Record<string, number>;
  fromUnitIsSpecial?: boolean;
}

interface UcumConverter {
  convertToBaseUnits(unit: string, value: number): BaseUnits;
}

const converter = ucumUtils as UcumConverter;
const cache = new Map<string, { factor: number; unit: string } | null>();

/**
 * A UCUM unit as a factor to its base units and the base unit expression (`mg` → 0.001 × `g`, `mm[Hg]` → ×133322
 * `g.m-1.s-2`), so quantities in commensurable units compare (5.4 mg matches 0.0054 g). Units converted by an offset
 * (Cel, [degF]), dimensionless units and invalid codes have none. Cached: the conversion library is slow (~50 µs a call).
 */
export function ucumBase(unit: string): { factor: number; unit: string } | undefined {
  let base = cache.get(unit);
  if (base === undefined) {
    const result = converter.convertToBaseUnits(unit, 1);
    base =
      result.status === 'succeeded' &&
      !result.fromUnitIsSpecial &&
      result.magnitude !== undefined &&
      result.unitToExp &&
      Object.keys(result.unitToExp).length > 0 // dimensionless (%, {score}) would make unrelated ratios commensurable
        ? {
            factor: result.magnitude,
            unit: Object.entries(result.unitToExp)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([name, exp]) => (exp === 1 ? name : `${name}${exp}`))
              .join('.'),
          }
        : null;
    if (cache.size < 10_000) cache.set(unit, base);
  }
  return base ?? undefined;
}

/** `value` (decimal text) in base units, as decimal text (15 significant digits: no binary noise like ...0000001). */
export function toBase(value: string, factor: number): string {
  return String(Number((Number(value) * factor).toPrecision(15)));
}
