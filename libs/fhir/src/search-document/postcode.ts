/** A full UK postcode once spaces are gone: outward code (2-4 characters) then the 3-character inward code. */
const UK_POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$/;

/** Upper case without any white space, the form postcodes are indexed and searched in ("ls1 4ap" → "LS14AP"). */
export function normalisePostcode(postcode: string): string {
  return postcode.toUpperCase().replace(/\s+/g, '');
}

/** The outward code ("LS1" of "LS1 4AP"), or undefined when the text is not a full UK postcode. */
export function outwardCode(postcode: string): string | undefined {
  return UK_POSTCODE.exec(normalisePostcode(postcode))?.[1];
}
