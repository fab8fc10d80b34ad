/**
 * Generalisation: coarser values for secondary use, so a row identifies fewer people. Pure string functions over
 * the formats the packs emit (ISO 8601 dates, UK postcodes).
 */

export type BirthDatePrecision = 'day' | 'month' | 'year';
export type PostcodePrecision = 'full' | 'district' | 'area';

export interface GeneralisationOptions {
  readonly birthDate: BirthDatePrecision;
  readonly postcode: PostcodePrecision;
  /** Free-text columns are dropped unless this is set; a pack marks which columns are free text. */
  readonly keepFreeText: boolean;
}

/** What the secondary-use default publishes: birth month, postcode district, no free text. */
export const DEFAULT_GENERALISATION: GeneralisationOptions = {
  birthDate: 'month',
  postcode: 'district',
  keepFreeText: false,
};

/** `1984-03-17` → `1984-03` (month) or `1984` (year); a partial date is cut to what it has. */
export function generaliseDate(value: string, precision: BirthDatePrecision): string {
  const length = precision === 'year' ? 4 : precision === 'month' ? 7 : 10;
  return value.slice(0, Math.min(length, value.length));
}

const POSTCODE = /^([A-Z]{1,2})(\d[A-Z\d]?)\s*(\d[A-Z]{2})$/;

/**
 * `YO10 5DD` → `YO10` (district, the outward code) or `YO` (area). Anything not shaped like a postcode gives
 * undefined: publishing an unparsed value could leak more than the full postcode would.
 */
export function generalisePostcode(value: string, precision: PostcodePrecision): string | undefined {
  const match = POSTCODE.exec(value.trim().toUpperCase());
  if (!match) return undefined;
  const [, area, district, inward] = match;
  if (precision === 'area') return area;
  if (precision === 'district') return `${area}${district}`;
  return `${area}${district} ${inward}`;
}
