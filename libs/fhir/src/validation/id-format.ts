/** R4 `id` datatype: 1 to 64 characters from A-Z, a-z, 0-9, '-' and '.'. */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export const isValidFhirId = (id: string): boolean => FHIR_ID.test(id);
