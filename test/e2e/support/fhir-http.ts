import type { Bundle, Resource } from 'fhir/r4';

export interface HttpAnswer<T = Resource> {
  status: number;
  headers: Headers;
  /** The parsed JSON body, undefined when there is none. */
  body: T | undefined;
}

/** Plain HTTP against the FHIR base with Node's fetch, so tests see exactly what a client sees. */
export function fhirHttp(base: string, defaultHeaders: Record<string, string> = {}) {
  return async function call<T = Resource>(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<HttpAnswer<T>> {
    const hasBody = options.body !== undefined || options.raw !== undefined;
    const response = await fetch(path.startsWith('http') ? path : `${base}/${path.replace(/^\//, '')}`, {
      method,
      headers: {
        ...(hasBody ? { 'content-type': 'application/fhir+json' } : {}),
        accept: 'application/fhir+json',
        ...defaultHeaders,
        ...options.headers,
      },
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as T) : undefined,
    };
  };
}

export type FhirHttp = ReturnType<typeof fhirHttp>;

export const linkOf = (bundle: Bundle | undefined, relation: string) =>
  bundle?.link?.find((link) => link.relation === relation)?.url;

export const idsOf = (bundle: Bundle | undefined) =>
  (bundle?.entry ?? [])
    .filter((e) => e.search?.mode !== 'outcome')
    .map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);
