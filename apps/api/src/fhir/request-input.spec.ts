import { FhirError } from '@continuum/fhir';
import {
  checkBundleRequests,
  checkJsonPatch,
  checkJsonText,
  checkJsonValue,
  checkParams,
  checkPath,
  checkQuery,
} from './request-input';

const limits = { maxJsonDepth: 5, maxParameterLength: 20, maxParameters: 3 };

/** The 400's diagnostics, or undefined when the check passes. */
function refusal(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(FhirError);
    expect((error as FhirError).status).toBe(400);
    return (error as FhirError).message;
  }
}

describe('input checks at the edge: hostile input is a 400 naming the problem', () => {
  it('paths: control characters and broken percent-encoding', () => {
    expect(refusal(() => checkPath('/fhir/Patient/p-1.2'))).toBeUndefined();
    expect(refusal(() => checkPath('/fhir/Patient/%C3%A9'))).toBeUndefined();
    expect(refusal(() => checkPath('/fhir/Patient/%00'))).toBe(
      'The path holds a control character U+0000, which is not allowed',
    );
    expect(refusal(() => checkPath('/fhir/Patient/a%0Ab'))).toMatch(/U\+000A/);
    expect(refusal(() => checkPath('/fhir/Patient/%E0%A4%A'))).toMatch(/Malformed percent-encoding/);
  });

  it('parameters: how many, how long, control characters, prototype names', () => {
    expect(refusal(() => checkQuery('name=smith&_count=5', limits))).toBeUndefined();
    expect(refusal(() => checkQuery('name=a%00b', limits))).toBe(
      "The search parameter 'name' holds a control character U+0000, which is not allowed",
    );
    expect(refusal(() => checkQuery('na%01me=x', limits))).toMatch(
      /parameter name holds a control character U\+0001/,
    );
    expect(refusal(() => checkQuery(`name=${'x'.repeat(21)}`, limits))).toBe(
      "The search parameter 'name' is longer than 20 characters",
    );
    expect(refusal(() => checkQuery('a=1&b=2&c=3&d=4', limits))).toBe(
      'More than 3 search parameters in one request',
    );
    expect(refusal(() => checkQuery('__proto__=x', limits))).toMatch(/could pollute object prototypes/);
    expect(refusal(() => checkParams([['name', 'a\ud800']], limits))).toMatch(/lone surrogate U\+D800/);
  });

  it('JSON nesting is measured on the text, strings and escapes left out', () => {
    expect(refusal(() => checkJsonText('{"a":[[["[[[[[[{{{{"]]]}', 5))).toBeUndefined();
    expect(refusal(() => checkJsonText('{"a":"\\"[[[[[[[["}', 5))).toBeUndefined();
    expect(refusal(() => checkJsonText('[[[[[[]]]]]]', 5))).toBe('JSON body nested deeper than 5 levels');
    expect(refusal(() => checkJsonText(`${'['.repeat(5000)}${']'.repeat(5000)}`, 100))).toMatch(
      /deeper than 100/,
    );
  });

  it('JSON values: prototype keys anywhere, control characters and lone surrogates in keys and strings', () => {
    expect(
      refusal(() => checkJsonValue({ resourceType: 'Patient', name: [{ family: 'a\tb\r\n' }] })),
    ).toBeUndefined();
    expect(refusal(() => checkJsonValue(JSON.parse('{"resourceType":"Patient","__proto__":{"x":1}}')))).toBe(
      "Key '__proto__' is not allowed in a request body (it could pollute object prototypes)",
    );
    expect(refusal(() => checkJsonValue({ a: [{ constructor: { prototype: {} } }] }))).toMatch(
      /'constructor'/,
    );
    expect(refusal(() => checkJsonValue({ a: { prototype: 1 } }))).toMatch(/'prototype'/);
    expect(refusal(() => checkJsonValue({ name: [{ family: 'a\u0000b' }] }))).toBe(
      'A string in the request body holds a control character U+0000, which is not allowed',
    );
    expect(refusal(() => checkJsonValue({ ['a\u0007']: 1 }))).toMatch(
      /key in the request body holds a control/,
    );
    expect(refusal(() => checkJsonValue({ text: '\udc00' }))).toMatch(/lone surrogate U\+DC00/);
  });

  it('JSON Patch pointers into a prototype', () => {
    expect(
      refusal(() => checkJsonPatch([{ op: 'replace', path: '/name/0/family', value: 'x' }])),
    ).toBeUndefined();
    expect(refusal(() => checkJsonPatch([{ op: 'add', path: '/__proto__/polluted', value: 1 }]))).toMatch(
      /operation 0 points into '__proto__'/,
    );
    expect(
      refusal(() => checkJsonPatch([{ op: 'copy', from: '/constructor/prototype', path: '/x' }])),
    ).toMatch(/'constructor'/);
  });

  it('bundle entries are checked as the requests they stand for', () => {
    const bundle = (url: string, ifNoneExist?: string) => ({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [{ request: { method: 'GET', url, ifNoneExist } }],
    });
    expect(refusal(() => checkBundleRequests(bundle('Patient?name=smith'), limits))).toBeUndefined();
    expect(refusal(() => checkBundleRequests(bundle('Patient/%00'), limits))).toMatch(/path holds a control/);
    expect(refusal(() => checkBundleRequests(bundle('Patient?name=a%00'), limits))).toMatch(
      /bundle entry parameter 'name' holds a control/,
    );
    expect(refusal(() => checkBundleRequests(bundle('Patient', 'name=%01'), limits))).toMatch(
      /If-None-Exist/,
    );
  });
});
