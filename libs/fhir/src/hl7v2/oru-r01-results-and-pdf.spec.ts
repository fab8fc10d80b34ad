import type { Observation } from 'fhir/r4';
import { sourceScopedId } from '../ingestion/source-scoped-id';
import {
  INPUT,
  mapFailure,
  mapOk,
  one,
  only,
  sample,
  segment,
  validationErrors,
} from './testing/hl7v2-test-messages';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n').toString('base64');

/** The NHS Wales pathology example, with its segments put back on one line each. */
function pathologyReport(resultStatus = 'F'): string {
  return [
    'MSH|^~\\&|ACMELab|CAV|cymru.nhs.uk|NHSWales|20190514102527+0200||ORU^R01^ORU_R01|5051095-201905141025|T|2.5.1|||AL',
    'PID|||403281375^^^154^PI~5189214567^^^NHS^NH||Bloggs^Joe^^^Mr||20010328|M',
    'PV1||O||||||||CAR',
    segment('OBR', {
      1: '1',
      3: '914694928301',
      4: 'B0001^Full blood count',
      7: '201803091500',
      22: '201803091530',
      25: resultStatus,
    }),
    'NTE|1||Please follow NICE guidelines.',
    'OBX|1|NM|B0300^White blood cell (WBC) count||3.5|x10\\S\\9/L|4.0-11.0|L|||F|||201803091500',
    'NTE|1||Repeat in 2 weeks.',
    'OBX|2|NM|B0307^Haemoglobin (Hb)||200|g/L|130-180|H|||F|||201803091500',
    'OBX|3|NM|B3553^HbA1c (IFCC traceable)||49|mmol/mol|<48|H|||C|||201803091500',
    'OBX|4|SN|B0400^eGFR||>^90|mL/min/1.73m2|>60|N|||F',
    'OBX|5|CE|B0500^Blood group||A+^A RhD positive^LOCAL||||||F',
    'OBX|6|ST|B0600^Comment||Sample slightly haemolysed||||||F',
    `OBX|7|ED|B0700^Printable report||LAB^AP^PDF^Base64^${PDF}||||||F`,
  ].join('\r');
}

const observation = (observations: Observation[], code: string) =>
  observations.find((candidate) => candidate.code.coding?.[0].code === code);

describe('ORU^R01 results become a DiagnosticReport with Observations', () => {
  it('marks its Patient a placeholder: PID identifies the person, the ADT feed keeps the demographics', () => {
    expect(mapOk(pathologyReport()).patientIfAbsent).toBe(true);
    expect(mapOk(sample('nhs-itk-adt/ITK_ADT_A01_example.hl7')).patientIfAbsent).toBe(false);
  });

  it('lists the Patient elements whose optional segments were not sent, so the stored ones are kept', () => {
    expect(mapOk(sample('nhs-itk-adt/ITK_ADT_A01_example.hl7')).patientRetains).toEqual([]);
    // the NHS ITK discharge example has PD1 but no NK1
    expect(mapOk(sample('nhs-itk-adt/ITK_ADT_A03_example.hl7')).patientRetains).toEqual(['contact']);
    expect(mapOk(pathologyReport()).patientRetains).toEqual(['contact', 'generalPractitioner']);
  });

  it('maps values with UCUM units, reference ranges, abnormal flags and statuses', () => {
    const result = mapOk(pathologyReport());
    const observations = only(result, 'Observation');
    expect(observations).toHaveLength(6);
    expect(observation(observations, 'B0300')).toMatchObject({
      status: 'final',
      valueQuantity: { value: 3.5, unit: 'x10^9/L', system: 'http://unitsofmeasure.org', code: '10*9/L' },
      referenceRange: [
        { low: { value: 4, code: '10*9/L' }, high: { value: 11, code: '10*9/L' }, text: '4.0-11.0' },
      ],
      interpretation: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'L' },
          ],
        },
      ],
      effectiveDateTime: '2018-03-09T15:00:00+00:00',
    });
    expect(observation(observations, 'B3553')).toMatchObject({
      status: 'corrected',
      referenceRange: [{ high: { value: 48 }, text: '<48' }],
    });
    expect(observation(observations, 'B0400')?.valueQuantity).toMatchObject({
      comparator: '>',
      value: 90,
      code: 'mL/min/{1.73_m2}',
    });
    expect(observation(observations, 'B0500')?.valueCodeableConcept?.coding?.[0]).toMatchObject({
      code: 'A+',
      display: 'A RhD positive',
    });
    expect(observation(observations, 'B0600')?.valueString).toBe('Sample slightly haemolysed');
    expect(validationErrors(result.resources)).toEqual([]);
  });

  it('keeps NTE comments: on the observation they follow, or on the report', () => {
    const result = mapOk(pathologyReport());
    expect(observation(only(result, 'Observation'), 'B0300')?.note).toEqual([{ text: 'Repeat in 2 weeks.' }]);
    expect(one(result, 'DiagnosticReport').extension).toEqual([
      {
        url: 'http://hl7.org/fhir/5.0/StructureDefinition/extension-DiagnosticReport.note',
        valueAnnotation: { text: 'Please follow NICE guidelines.' },
      },
    ]);
  });

  it('puts an embedded PDF on the report as a presented form, not in an Observation', () => {
    const report = one(mapOk(pathologyReport()), 'DiagnosticReport');
    expect(report.presentedForm).toEqual([
      { contentType: 'application/pdf', data: PDF, title: 'Printable report' },
    ]);
    expect(report.result).toHaveLength(6);
  });

  it('keys the report by filler order number and its observations by report, set id and code', () => {
    const result = mapOk(pathologyReport());
    const report = one(result, 'DiagnosticReport');
    expect(report.id).toBe(sourceScopedId(INPUT.sourceSystem, 'DiagnosticReport', 'filler|914694928301'));
    expect(report).toMatchObject({
      status: 'final',
      issued: '2018-03-09T15:30:00+00:00',
      subject: { reference: `Patient/${result.patientId}` },
    });
    expect(result.patientId).toBe(sourceScopedId(INPUT.sourceSystem, 'Patient', '403281375'));
  });

  it('updates the same report and observations when a corrected result arrives', () => {
    const first = mapOk(pathologyReport('P'));
    const corrected = mapOk(pathologyReport('C'));
    expect(one(first, 'DiagnosticReport').status).toBe('preliminary');
    expect(one(corrected, 'DiagnosticReport').status).toBe('corrected');
    expect(corrected.resources.map((resource) => resource.id)).toEqual(
      first.resources.map((resource) => resource.id),
    );
  });

  it('maps the v2.5.1 NHS genomics report (SNOMED coded) once its abbreviated PDF is a real one', () => {
    const text = sample('nw-genomics-oru/MFT_ORU_R01_PDF.hl7').replace('JVBERi0x...', PDF);
    const result = mapOk(text);
    const report = one(result, 'DiagnosticReport');
    expect(report.presentedForm?.[0]).toMatchObject({
      contentType: 'application/pdf',
      title: 'Genetic report',
    });
    expect(report.effectiveDateTime).toBe('2019-05-14T10:20:00+02:00');
    expect(one(result, 'Patient').identifier).toContainEqual({
      system: 'https://fhir.nhs.uk/Id/nhs-number',
      value: '9449305552',
    });
    expect(validationErrors(result.resources)).toEqual([]);
  });

  it('reads the NHS number of a v2.3 feed from PID-2, spaces and all', () => {
    const result = mapOk(sample('nw-genomics-oru/NWGMSA_ORU_R01_PDF.hl7'));
    expect(one(result, 'Patient').identifier).toEqual([
      { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9449305552' },
    ]);
    expect(one(result, 'DiagnosticReport').presentedForm?.[0].contentType).toBe('application/pdf');
  });

  it('refuses an embedded document that is not base64, naming the OBX', () => {
    const failure = mapFailure(sample('nw-genomics-oru/MFT_ORU_R01_PDF.hl7'));
    expect(failure).toMatchObject({
      code: 'hl7-invalid',
      event: 'ORU^R01',
      messageId: '5051095-201905141025',
    });
    expect(failure.problems[0].expression).toEqual(['OBX[1]-5']);
  });
});
