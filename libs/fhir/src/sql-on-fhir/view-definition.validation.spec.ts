import { ViewDefinitionError } from './view-definition.error';
import { ViewEvaluator } from './view-definition.evaluator';

/** The error a view is refused with: its path into the view and the 422 OperationOutcome. */
function refusal(view: unknown, resources: object[] = []): ViewDefinitionError {
  try {
    const evaluator = new ViewEvaluator(view);
    resources.forEach((resource) => evaluator.rows(resource));
  } catch (error) {
    if (error instanceof ViewDefinitionError) return error;
    throw error;
  }
  throw new Error('the view was accepted');
}

const id = { name: 'id', path: 'id' };

describe('an invalid ViewDefinition is refused with a 422 naming the path', () => {
  it('names a column whose name breaks the naming rule', () => {
    const error = refusal({
      resource: 'Patient',
      select: [{ column: [id, { name: '2nd', path: 'gender' }] }],
    });
    expect(error.viewPath).toBe('select[0].column[1].name');
    expect(error.status).toBe(422);
    expect(error.outcome.issue[0]).toMatchObject({
      code: 'invalid',
      expression: ['select[0].column[1].name'],
    });
  });

  it('names the second of two columns with the same name', () => {
    const error = refusal({
      resource: 'Patient',
      select: [{ column: [id] }, { forEach: 'name', column: [{ name: 'id', path: 'family' }] }],
    });
    expect(error.viewPath).toBe('select[1].column[0].name');
    expect(error.reason).toContain("duplicate column 'id'");
  });

  it('names a select with more than one of forEach, forEachOrNull and repeat', () => {
    const error = refusal({
      resource: 'Patient',
      select: [
        { column: [id] },
        { forEach: 'name', repeat: ['name'], column: [{ name: 'f', path: 'family' }] },
      ],
    });
    expect(error.viewPath).toBe('select[1]');
  });

  it('names the unionAll branch whose columns differ from the first', () => {
    const error = refusal({
      resource: 'Patient',
      select: [
        {
          unionAll: [
            { column: [id, { name: 'a', path: 'id' }] },
            { column: [{ name: 'a', path: 'id' }, id] },
          ],
        },
      ],
    });
    expect(error.viewPath).toBe('select[0].unionAll[1]');
  });

  it('names a where whose path gives something other than a boolean', () => {
    const error = refusal(
      { resource: 'Patient', where: [{ path: 'true' }, { path: 'name.family' }], select: [{ column: [id] }] },
      [{ resourceType: 'Patient', id: 'p', name: [{ family: 'F' }] }],
    );
    expect(error.viewPath).toBe('where[1].path');
  });

  it('names a path that is not FHIRPath, and an undefined constant', () => {
    expect(
      refusal({ resource: 'Patient', select: [{ column: [{ name: 'x', path: 'name.(' }] }] }).viewPath,
    ).toBe('select[0].column[0].path');
    expect(
      refusal({ resource: 'Patient', select: [{ forEach: 'name.where(use = %nope)', column: [id] }] }).reason,
    ).toContain('undefined constant %nope');
  });

  it('names a column with several values that is not a collection', () => {
    const error = refusal(
      { resource: 'Patient', select: [{ column: [{ name: 'given', path: 'name.given' }] }] },
      [{ resourceType: 'Patient', name: [{ given: ['a', 'b'] }] }],
    );
    expect(error.viewPath).toBe('select[0].column[0].path');
  });
});
