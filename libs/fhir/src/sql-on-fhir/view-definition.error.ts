import { FhirError, operationOutcome } from '../operation-outcome';

/**
 * A ViewDefinition that cannot run: what is wrong and where (a path into the view such as `select[0].column[1].name`).
 * An HTTP edge answers it as 422 with an OperationOutcome naming the path.
 */
export class ViewDefinitionError extends FhirError {
  constructor(
    readonly viewPath: string,
    readonly reason: string,
  ) {
    super(
      422,
      operationOutcome([{ code: 'invalid', diagnostics: `${viewPath}: ${reason}`, expression: [viewPath] }]),
    );
    this.name = 'ViewDefinitionError';
  }
}
