import { readHl7ControlId } from './hl7-message';
import { mapHl7v2Message } from './hl7v2-message.mapper';
import { adt, INPUT, INVALID_NHS_NUMBER, mapFailure, mapOk, one } from './testing/hl7v2-test-messages';

describe('messages the platform refuses, each with a specific reason', () => {
  it('refuses an invalid NHS number in PID-3 (hl7-invalid at PID-3)', () => {
    const failure = mapFailure(
      adt({ event: 'A01', pid3: `${INVALID_NHS_NUMBER}^^^NHS^NH~K123456^^^RCB^MR` }),
    );
    expect(failure).toMatchObject({ code: 'hl7-invalid', event: 'ADT^A01', messageId: 'MSG-A01' });
    expect(failure.problems).toEqual([
      expect.objectContaining({
        code: 'invalid',
        expression: ['PID-3'],
        diagnostics: expect.stringContaining('modulus 11'),
      }),
    ]);
  });

  it('refuses an NHS number of the wrong length, and two different NHS numbers', () => {
    expect(mapFailure(adt({ event: 'A28', pid3: '12345^^^NHS' })).problems[0].diagnostics).toContain(
      'has 5 digits',
    );
    expect(
      mapFailure(adt({ event: 'A28', pid3: '9434765919^^^NHS~3333333333^^^NHS' })).problems[0].diagnostics,
    ).toContain('2 different NHS numbers');
  });

  it('refuses an impossible date, naming the field', () => {
    expect(mapFailure(adt({ event: 'A28', pid7: '19701345' })).problems[0].expression).toEqual(['PID-7']);
  });

  it('refuses a message with no patient identifier', () => {
    expect(mapFailure(adt({ event: 'A28', pid3: '' })).problems[0]).toMatchObject({
      code: 'required',
      expression: ['PID-3'],
    });
  });

  it('refuses a visit event without a PV1', () => {
    expect(mapFailure(adt({ event: 'A01', pv1: null })).problems[0]).toMatchObject({
      code: 'required',
      expression: ['PV1'],
    });
  });

  it.each(['ADT^A60', 'SIU^S12', 'ORM^O01', 'ADT^A34'])('refuses %s as an unsupported event', (event) => {
    const [type, trigger] = event.split('^');
    const text = adt({ event: 'A01' }).replace('ADT^A01^ADT_A01', `${type}^${trigger}`);
    const failure = mapFailure(text);
    expect(failure).toMatchObject({ code: 'hl7-unsupported-event', event });
    expect(failure.problems[0]).toMatchObject({ code: 'not-supported', expression: ['MSH-9'] });
    expect(failure.problems[0].diagnostics).toContain(event);
  });

  it.each([
    ['garbage text', 'this is not an HL7 message'],
    ['an empty body', ''],
    ['JSON', '{"resourceType":"Patient"}'],
    ['an MSH without encoding characters', 'MSH|'],
  ])('refuses %s as unparseable', (_name, text) => {
    const failure = mapFailure(text);
    expect(failure.code).toBe('hl7-unparseable');
    expect(failure.problems.length).toBeGreaterThan(0);
  });

  it('says a text without an MSH segment is not HL7 v2 at all, and where an MSH after other text is', () => {
    expect(mapFailure('this is not an HL7 message').problems).toEqual([
      { code: 'structure', diagnostics: 'not an HL7 v2 message: no MSH segment', expression: ['MSH'] },
    ]);
    expect(mapFailure(`Subject: results\r${adt({ event: 'A01' })}`).problems[0].diagnostics).toBe(
      'the MSH segment is not the first line (it is line 2): text precedes the message',
    );
  });

  it('reads MSH-10 before mapping, or refuses a text without an MSH segment with the same reason', () => {
    expect(readHl7ControlId(`\u000b${adt({ event: 'A01' })}`)).toEqual({ ok: true, messageId: 'MSG-A01' });
    expect(readHl7ControlId('MSH|^~\\&|PAS|RCB|||20240101||ADT^A01||P|2.4')).toEqual({ ok: true });
    expect(readHl7ControlId('{"resourceType":"Patient"}')).toEqual({
      ok: false,
      problems: [mapFailure('{"resourceType":"Patient"}').problems[0]],
    });
  });

  it('refuses a message whose segments were wrapped across lines, listing the lines', () => {
    const wrapped = adt({ event: 'A01' }).replace('JONES^SARAH', 'JONES\n^SARAH');
    const failure = mapFailure(wrapped);
    expect(failure.code).toBe('hl7-unparseable');
    expect(failure.problems[0].expression).toEqual(['line 4']);
  });

  it('never throws, whatever it is given', () => {
    const inputs = [
      'MSH|^~\\&',
      'MSH|^~\\&|||||||',
      'MSH|^~\\&|A|B|C|D|E||ADT^A01|1|P|2.4\rPID',
      '\u0000\u0001',
      'PID|1',
    ];
    for (const text of inputs) expect(() => mapHl7v2Message(text, INPUT)).not.toThrow();
  });

  it('accepts MLLP framing and a byte order mark around a message', () => {
    const framed = `\u000b\uFEFF${adt({ event: 'A01' })}\u001c\r`;
    expect(one(mapOk(framed), 'Encounter').status).toBe('in-progress');
  });
});
