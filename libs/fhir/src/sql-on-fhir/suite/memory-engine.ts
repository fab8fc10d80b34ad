import { ViewEvaluator } from '../view-definition.evaluator';
import type { ViewEngine } from './view-suite';

/** The in-memory evaluator as a suite engine. */
export const memoryEngine: ViewEngine = async (view, file) => {
  const evaluator = new ViewEvaluator(view);
  return {
    rows: [...evaluator.run(file.resources)],
    columns: evaluator.columns.map((column) => column.name),
  };
};
