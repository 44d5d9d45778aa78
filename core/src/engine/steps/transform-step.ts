/** `transform`: the value, with its expressions evaluated, is the output. */
import { evaluateValue } from '../evaluate.js';
import type { StepContext, StepResult } from './run-step-body.js';

export async function runTransformStep(context: StepContext): Promise<StepResult> {
  const { step, scope, functions } = context;
  const output = await evaluateValue(
    step.transform,
    scope,
    functions,
    context.field ?? `steps.${step.id}.transform`,
  );
  return { output };
}
