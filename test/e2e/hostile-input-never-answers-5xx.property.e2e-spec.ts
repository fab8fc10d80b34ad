import { testTokens } from '@continuum/security/testing/test-tokens';
import { createScratchDatabase } from '@continuum/store/outbox/testing/scratch-database';
import { TEST_DATABASE_URL, uniqueSuffix } from '@continuum/testing';
import fc from 'fast-check';
import { startApi, type RunningApi } from './support/api-app';

/**
 * Issue #14, gap 6, as a property: whatever a caller sends, the real HTTP stack answers without a 5xx. Two kinds of
 * request, mixed: plausible ones (known types, ids, search parameters and resources with random printable values),
 * which reach the store, the search SQL and the validator; and hostile ones (control characters, lone surrogates,
 * invalid percent-encoding, over-long values, deep nesting, prototype keys, bundles whose entries carry all of that),
 * which the edge must refuse with a 4xx. The API runs on a scratch database of its own: random writes under a
 * full-access token must not touch other suites' data.
 */
/** Deterministic by default; FUZZ_SEED and FUZZ_RUNS explore further (a failure prints the seed and path to replay). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_206);

const TYPES = ['Patient', 'Observation', 'Encounter', 'Condition', 'Consent', 'AuditEvent', 'Bundle', 'Foo'];
const PARAMS = [
  ...[
    'name',
    'family',
    '_id',
    'patient',
    'subject',
    'subject:Patient',
    'subject:Patient.name',
    'date',
    'code',
  ],
  ...['code:text', 'identifier', 'birthdate', 'gender', 'status', 'value-quantity', 'entity', 'subtype'],
  ...['_has:Observation:patient:code', '_count', '_sort', '_include', '_revinclude', '_elements', '_summary'],
  ...['_total', '_type', '_since', '_page', '_cursor', '_format', '_pretty', 'name:exact', 'name:contains'],
  ...['name:missing', 'code:not', '_lastUpdated', 'general-practitioner', 'link', 'unknown-parameter'],
];
/** Values with FHIR search syntax in them: prefixes, systems, lists, escapes, references, odd numbers and dates. */
const SEARCH_VALUES = [
  ...[
    'p1',
    'o1',
    'Patient/p1',
    'Observation/o1',
    'http://x.org/fhir/Patient/1',
    'urn:uuid:1',
    'Patient/p1/_history/1',
  ],
  ...[
    'ge2020-01-01',
    'le2030',
    'lt2020-01-01T00:00:00Z',
    'sa2020-01',
    'eb2020',
    'ap2020',
    'ne2020',
    '2020-13-45',
  ],
  ...[
    'http://loinc.org|1234-5',
    '|x',
    'x|',
    '|',
    'a,b',
    'a\\,b',
    'a\\|b',
    '*',
    '1e308',
    '-0',
    '0.0000001',
    'gt-5',
  ],
  ...['5||kg', '5|http://unitsofmeasure.org|mg', 'ne5', 'Observation:subject', 'Observation:subject:Patient'],
  ...[
    'Observation:*',
    '*:*',
    'true',
    'false',
    'count',
    'accurate',
    'estimate',
    'data',
    'text',
    'name,birthDate',
  ],
  ...['-date', 'name,-_lastUpdated', '_id', '0', '1', '1001', '-1', '2.5', 'Patient,Observation', 'Nope'],
];

/** Printable text (well-formed graphemes), or FHIR-shaped values. */
const printable = fc.oneof(
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 3, arbitrary: fc.constantFrom(...SEARCH_VALUES) },
);

/** Text weighted towards what has broken servers. */
const hostileText = fc.oneof(
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('\u0000', 'a\u0001b', '\ud800', '\udfff', '\u007f', '\t\n', '\u2028'),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '..', '%', '%%', '?', '#'),
  },
  { weight: 1, arbitrary: fc.integer({ min: 8000, max: 9000 }).map((length) => 'x'.repeat(length)) },
  { weight: 1, arbitrary: printable },
);

/** Percent-encoding of hostile text, of raw bytes (invalid UTF-8 included), or broken encodings. */
const hostileEncoded = fc.oneof(
  { weight: 3, arbitrary: hostileText.map((value) => encodeBytes(Buffer.from(value, 'utf8'))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 6 }).map((bytes) => encodeBytes(Buffer.from(bytes))) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%ED%A0%80', '%C0%80', '%FF', '%00') },
);
const plausibleEncoded = printable.map((value) => encodeURIComponent(value));

function pathOf(type: fc.Arbitrary<string>, id: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    type,
    fc.tuple(type, id).map(([t, i]) => `${t}/${i}`),
    fc.tuple(type, id).map(([t, i]) => `${t}/${i}/_history`),
    fc.tuple(type, id, fc.constantFrom('1', '2', 'x')).map(([t, i, v]) => `${t}/${i}/_history/${v}`),
    type.map((t) => `${t}/_history`),
    type.map((t) => `${t}/_search`),
    fc.tuple(id, fc.constantFrom('$everything', '$summary', '$nope')).map(([i, op]) => `Patient/${i}/${op}`),
    fc.constantFrom('', '_history', '_search', 'metadata'),
  );
}

function queryOf(name: fc.Arbitrary<string>, value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(name, value), { maxLength: 4 })
    .map((params) => params.map(([n, v]) => `${n}=${v}`).join('&'));
}

/** JSON with the given strings and keys. */
function jsonOf(strings: fc.Arbitrary<string>, keys: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof(strings, fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null)),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(keys, tie('value'), { maxKeys: 3 }),
    ),
  })).value;
}

const ELEMENTS = [
  'id',
  'meta',
  'name',
  'birthDate',
  'gender',
  'status',
  'code',
  'subject',
  'valueQuantity',
  'text',
];
const MORE_ELEMENTS = [
  'effectiveDateTime',
  'identifier',
  'link',
  'performer',
  'category',
  'period',
  'extension',
];

function requestOf(kind: {
  path: fc.Arbitrary<string>;
  query: fc.Arbitrary<string>;
  strings: fc.Arbitrary<string>;
  keys: fc.Arbitrary<string>;
  headers: fc.Arbitrary<Record<string, string>>;
}) {
  const json = jsonOf(kind.strings, kind.keys);
  const resource = fc
    .tuple(
      fc.constantFrom(...TYPES),
      fc.dictionary(kind.keys, json, { maxKeys: 4 }),
      fc.record(
        {
          name: fc.array(
            fc.record({ family: kind.strings, given: fc.array(kind.strings, { maxLength: 2 }) }),
          ),
          birthDate: kind.strings,
          status: fc.constantFrom('final', 'active', 'nonsense'),
          subject: fc.record({
            reference: fc.oneof(fc.constantFrom('Patient/p1', 'Patient/p2'), kind.strings),
          }),
          code: fc.record({ text: kind.strings }),
          valueQuantity: fc.record({
            value: fc.double({ noNaN: true, noDefaultInfinity: true }),
            unit: kind.strings,
          }),
        },
        { requiredKeys: [] },
      ),
    )
    .map(([resourceType, random, realistic]) => ({ resourceType, ...realistic, ...random }));
  const bundle = fc
    .tuple(
      fc.constantFrom('transaction', 'batch', 'collection'),
      fc.array(
        fc.record({
          fullUrl: fc.option(fc.constantFrom('urn:uuid:3f1b1d2e-1111-4222-8333-444455556666'), {
            nil: undefined,
          }),
          resource: fc.option(resource, { nil: undefined }),
          request: fc.record({
            method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
            url: fc.tuple(kind.path, kind.query).map(([p, q]) => (q ? `${p}?${q}` : p)),
            ifNoneExist: fc.option(kind.query, { nil: undefined }),
          }),
        }),
        { maxLength: 3 },
      ),
    )
    .map(([type, entry]) => ({ resourceType: 'Bundle', type, entry }));
  const patch = fc.array(
    fc.record({
      op: fc.constantFrom('add', 'replace', 'remove', 'move', 'copy', 'test'),
      path: fc.oneof(
        fc.constantFrom('/name', '/name/0/family', '/birthDate', '/status', '/id', '/meta', '/-'),
        kind.strings.map((value) => `/${value}`),
      ),
      from: fc.option(fc.constantFrom('/name', '/id'), { nil: undefined }),
      value: json,
    }),
    { maxLength: 3 },
  );
  const fhirJson = (value: unknown) => ({
    type: 'application/fhir+json',
    text: JSON.stringify(value) ?? 'null',
  });
  const body = fc.oneof(
    { weight: 4, arbitrary: resource.map(fhirJson) },
    { weight: 2, arbitrary: bundle.map(fhirJson) },
    {
      weight: 1,
      arbitrary: patch.map((value) => ({ type: 'application/json-patch+json', text: JSON.stringify(value) })),
    },
    { weight: 1, arbitrary: json.map(fhirJson) },
    {
      weight: 1,
      arbitrary: kind.query.map((value) => ({ type: 'application/x-www-form-urlencoded', text: value })),
    },
  );
  return fc.record({
    method: fc.constantFrom('GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
    path: kind.path,
    query: kind.query,
    body: fc.option(body, { nil: undefined, freq: 3 }),
    caller: fc.constantFrom('system', 'system', 'system', 'patient', 'clinician', 'none', 'garbage'),
    headers: kind.headers,
  });
}

const plausible = requestOf({
  path: pathOf(
    fc.constantFrom(...TYPES),
    fc.oneof(fc.constantFrom('p1', 'o1', 'p2', 'does-not-exist'), plausibleEncoded),
  ),
  query: queryOf(fc.constantFrom(...PARAMS), plausibleEncoded),
  strings: printable,
  keys: fc.constantFrom(
    ...ELEMENTS,
    ...MORE_ELEMENTS,
    'resourceType',
    'reference',
    'value',
    'system',
    'unknown',
  ),
  headers: fc.record(
    {
      prefer: fc.constantFrom(
        'return=minimal',
        'return=OperationOutcome',
        'handling=strict',
        'handling=lenient',
      ),
      'if-match': fc.constantFrom('W/"1"', 'W/"2"', '*'),
      'if-none-exist': queryOf(fc.constantFrom(...PARAMS), plausibleEncoded),
    },
    { requiredKeys: [] },
  ),
});

const hostile = requestOf({
  path: pathOf(
    fc.oneof(fc.constantFrom(...TYPES), hostileEncoded),
    fc.oneof(fc.constantFrom('p1', 'o1'), hostileEncoded),
  ),
  query: queryOf(fc.oneof(fc.constantFrom(...PARAMS), hostileEncoded), hostileEncoded),
  strings: hostileText,
  keys: fc.oneof(fc.constantFrom(...ELEMENTS, '__proto__', 'constructor', 'prototype'), hostileText),
  headers: fc.record(
    {
      'if-none-exist': queryOf(fc.constantFrom(...PARAMS), hostileEncoded),
      'if-match': fc.constantFrom('W/"1"', '*', 'nonsense', 'W/"x"'),
      prefer: fc.constantFrom('return=minimal', 'handling=strict', 'return=nonsense'),
      accept: fc.constantFrom('application/fhir+json', 'application/xml', '*/*', 'nonsense'),
      'if-modified-since': fc.constantFrom('yesterday', 'Wed, 21 Oct 2015 07:28:00 GMT'),
      'x-break-glass-reason': fc.constantFrom('emergency', ''),
    },
    { requiredKeys: [] },
  ),
});

const date = fc
  .tuple(
    fc.constantFrom('', 'eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'),
    fc.constantFrom('2020', '2020-02', '2020-02-29', '2020-02-29T10:00:00Z', '2020-02-29T10:00:00.123+01:00'),
  )
  .map(([prefix, value]) => `${prefix}${value}`);
const words = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 });
const token = fc
  .tuple(
    fc.constantFrom('', 'http://loinc.org|', '|', 'urn:oid:1.2|'),
    fc.constantFrom('1234-5', 'final', 'x'),
  )
  .map(([system, code]) => `${system}${code}`);
/** Well-formed searches: every parameter with a value of its type, so that the request reaches the search SQL. */
const VALID: Record<string, fc.Arbitrary<string>> = {
  'Patient?name': words,
  'Patient?family': words,
  'Patient?name:exact': words,
  'Patient?name:contains': words,
  'Patient?birthdate': date,
  'Patient?gender': fc.constantFrom('male', 'female', 'other', 'unknown'),
  'Patient?_id': fc.constantFrom('p1', 'p1,p2', 'nobody'),
  'Patient?identifier': token,
  'Patient?_has:Observation:patient:code': token,
  'Patient?_revinclude': fc.constantFrom('Observation:subject', 'Observation:patient'),
  'Patient?_lastUpdated': date,
  'Observation?patient': fc.constantFrom('p1', 'Patient/p1', 'p2'),
  'Observation?subject': fc.constantFrom('Patient/p1', 'Patient/p2'),
  'Observation?subject:Patient.name': words,
  'Observation?code': token,
  'Observation?code:text': words,
  'Observation?date': date,
  'Observation?status': fc.constantFrom('final', 'final,amended'),
  'Observation?value-quantity': fc.constantFrom(
    '5',
    'gt5||kg',
    'le5.5|http://unitsofmeasure.org|mg',
    'ap100',
  ),
  'Observation?_include': fc.constantFrom('Observation:subject', 'Observation:patient:Patient'),
  'Observation?_sort': fc.constantFrom('date', '-date', '_lastUpdated', 'code'),
  'Observation?_count': fc.constantFrom('0', '1', '50', '5000'),
  'Observation?_summary': fc.constantFrom('count', 'true', 'data'),
  'Observation?_total': fc.constantFrom('accurate', 'estimate', 'none'),
  'Observation?_elements': fc.constantFrom('status', 'code,subject'),
};
const validSearch = fc
  .tuple(
    fc.constantFrom('Patient', 'Observation'),
    fc.uniqueArray(fc.constantFrom(...Object.keys(VALID)), { maxLength: 4 }),
  )
  .chain(([type, keys]) =>
    fc
      .tuple(
        ...keys
          .filter((key) => key.startsWith(`${type}?`))
          .map((key) => VALID[key].map((value) => [key, value])),
      )
      .map((pairs) => ({
        method: 'GET',
        path: type,
        query: (pairs as [string, string][])
          .map(([key, value]) => `${key.slice(type.length + 1)}=${encodeURIComponent(value)}`)
          .join('&'),
        body: undefined as { type: string; text: string } | undefined,
        caller: 'system',
        headers: {} as Record<string, string>,
      })),
  );

/** Deep nesting on its own: JSON nested 50 to 6,000 levels, as a resource, a bundle entry and a patch. */
const deep = fc
  .tuple(fc.integer({ min: 50, max: 6000 }), fc.constantFrom('Patient', '', 'Patient/p1'))
  .map(([depth, path]) => ({
    method: path === 'Patient/p1' ? 'PUT' : 'POST',
    path,
    query: '',
    body: {
      type: 'application/fhir+json',
      text: `{"resourceType":"${path ? 'Patient' : 'Bundle'}","id":"p1","a":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    },
    caller: 'system',
    headers: {} as Record<string, string>,
  }));

const anyRequest = fc.oneof(
  { weight: 4, arbitrary: plausible },
  { weight: 3, arbitrary: validSearch },
  { weight: 4, arbitrary: hostile },
  { weight: 1, arbitrary: deep },
);

describe('hostile input: random paths, parameters, headers and bodies through the real HTTP stack, no 5xx', () => {
  const tokens = testTokens();
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let api: RunningApi;
  let authorization: Record<string, string>;

  beforeAll(async () => {
    scratch = await createScratchDatabase(TEST_DATABASE_URL, `continuum_fuzz_${uniqueSuffix()}`);
    Object.assign(process.env, tokens.env);
    api = await startApi({
      DATABASE_URL: scratch.config.url,
      RATE_LIMIT_SYSTEM_BURST: '100000',
      RATE_LIMIT_USER_BURST: '100000',
      RATE_LIMIT_PATIENT_BURST: '100000',
      RATE_LIMIT_REFUSED_BURST: '100000',
    });
    const bearer = async (request: Parameters<typeof tokens.issue>[0]) =>
      `Bearer ${await tokens.issue(request)}`;
    authorization = {
      system: await bearer({ scope: 'system/*.cruds', purposeOfUse: 'TREAT' }),
      patient: await bearer({ scope: 'launch/patient patient/*.cruds', patient: 'p1' }),
      clinician: await bearer({ scope: 'user/*.cruds', role: 'clinician', organisation: 'RX1' }),
      garbage: 'Bearer not.a.token',
    };
    // something to find: a patient and an observation of theirs
    const put = (path: string, resource: object) =>
      fetch(`${api.base}/${path}`, {
        method: 'PUT',
        headers: { authorization: authorization.system, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(resource),
      });
    expect(
      (await put('Patient/p1', { resourceType: 'Patient', id: 'p1', name: [{ family: 'Fuzz' }] })).status,
    ).toBe(201);
    const observation = { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'hr' } };
    expect(
      (await put('Observation/o1', { ...observation, subject: { reference: 'Patient/p1' } })).status,
    ).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await scratch?.drop();
    for (const name of Object.keys(process.env).filter((key) => key.startsWith('RATE_LIMIT_')))
      delete process.env[name];
  });

  it(`${RUNS} random requests (seed ${SEED}) get no 5xx`, async () => {
    await fc.assert(
      fc.asyncProperty(anyRequest, async (generated) => {
        const url = `${api.base}/${generated.path}${generated.query ? `?${generated.query}` : ''}`;
        const hasBody = generated.body && !['GET', 'HEAD'].includes(generated.method);
        const response = await fetch(url, {
          method: generated.method,
          headers: {
            ...generated.headers,
            ...(authorization[generated.caller] ? { authorization: authorization[generated.caller] } : {}),
            ...(hasBody ? { 'content-type': generated.body?.type ?? '' } : {}),
          },
          body: hasBody ? generated.body?.text : undefined,
        });
        const answer = await response.text();
        if (response.status >= 500)
          throw new Error(`${generated.method} ${url} answered ${response.status}: ${answer.slice(0, 300)}`);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, 600_000);
});

/** Bytes as %XX, except unreserved ASCII, so the request line carries exactly these bytes. */
function encodeBytes(bytes: Buffer): string {
  return [...bytes]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}
