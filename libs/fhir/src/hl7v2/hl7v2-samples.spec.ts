import {
  allSamples,
  INPUT,
  mapFailure,
  mapOk,
  sample,
  validationErrors,
} from './testing/hl7v2-test-messages';
import { mapHl7v2Message } from './hl7v2-message.mapper';

/** Every shared sample either maps to valid FHIR R4 or fails with the specific reason it deserves. */
const EXPECTED: Record<string, { event: string } | { failure: string; expression: string }> = {
  'nhs-itk-adt/ITK_ADT_A01_example.hl7': { event: 'ADT^A01' },
  'nhs-itk-adt/ITK_ADT_A03_example.hl7': { event: 'ADT^A03' },
  'nhs-itk-adt/ITK_ADT_A04_example.hl7': { event: 'ADT^A04' },
  'nhs-itk-adt/ITK_ADT_A05_Example.hl7': { event: 'ADT^A05' },
  'nhs-itk-adt/ITK_ADT_A08_example.hl7': { event: 'ADT^A08' },
  // the published A28 and A31 examples carry birth date 1965-13-12: month 13
  'nhs-itk-adt/ITK_ADT_A28_Example.hl7': { failure: 'hl7-invalid', expression: 'PID-7' },
  'nhs-itk-adt/ITK_ADT_A31_example.hl7': { failure: 'hl7-invalid', expression: 'PID-7' },
  'nhs-itk-adt/ITK_ADT_A40_Example.hl7': { event: 'ADT^A40' },
  // the published example abbreviates the PDF to "JVBERi0x...", which is not base64
  'nw-genomics-oru/MFT_ORU_R01_PDF.hl7': { failure: 'hl7-invalid', expression: 'OBX[1]-5' },
  'nw-genomics-oru/NWGMSA_ORU_R01_PDF.hl7': { event: 'ORU^R01' },
  'other/DHCW-Example-Pathology-Report-HL7v2ORU.LINEWRAPPED.txt': {
    failure: 'hl7-unparseable',
    expression: 'MSH-2',
  },
  'other/LinuxForHealth_ORU-multiline-short.hl7': { event: 'ORU^R01' },
};

describe('the shared HL7 v2 samples', () => {
  it('are all covered by this table', () => {
    expect(
      allSamples()
        .filter((file) => file.endsWith('.hl7') || file.endsWith('.txt'))
        .sort(),
    ).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', (file, expected) => {
    if ('event' in expected) {
      const result = mapOk(sample(file));
      expect(result.event).toBe(expected.event);
      expect(result.resources.length).toBeGreaterThan(0);
      expect(validationErrors(result.resources)).toEqual([]);
    } else {
      const failure = mapFailure(sample(file));
      expect(failure.code).toBe(expected.failure);
      expect(failure.problems.flatMap((problem) => problem.expression ?? [])).toContain(expected.expression);
    }
  });

  it('maps a sample the same whether its segments end in LF, CR or CRLF', () => {
    const lf = sample('nhs-itk-adt/ITK_ADT_A01_example.hl7').replace(/\r\n?/g, '\n');
    const results = [lf, lf.replace(/\n/g, '\r'), lf.replace(/\n/g, '\r\n')].map((text) =>
      mapHl7v2Message(text, INPUT),
    );
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('gives every resource an id and points references only at resources it made', () => {
    for (const [file, expected] of Object.entries(EXPECTED)) {
      if (!('event' in expected)) continue;
      const { resources } = mapOk(sample(file));
      const made = new Set(resources.map((resource) => `${resource.resourceType}/${resource.id}`));
      const references = JSON.stringify(resources).match(/"reference":"[^"]+"/g) ?? [];
      for (const reference of references) expect(made).toContain(reference.slice('"reference":"'.length, -1));
    }
  });
});
