/** `workflow`: another workflow runs as its own run, linked to this one; its output is the output. */
import type { JsonValue } from '../../model/workflow.js';
import { EngineError } from '../engine-error.js';
import { evaluateValue } from '../evaluate.js';
import type { StepContext, StepResult } from './run-step-body.js';

export async function runWorkflowStep(context: StepContext): Promise<StepResult> {
  const { step, scope, functions, host, signal, path } = context;
  const call = step.workflow!;
  const where = context.field ?? `steps.${step.id}.workflow`;
  const inputs = await evaluateValue(call.inputs ?? {}, scope, functions, `${where}.inputs`);
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) {
    throw new EngineError('expression', `${where}.inputs: must be a mapping`);
  }
  const outcome = await host.runChild(
    {
      path,
      workflow: call.name,
      ...(call.version === undefined ? {} : { version: call.version }),
      inputs: inputs as { [name: string]: JsonValue },
    },
    signal,
  );
  if (outcome.status !== 'succeeded') {
    throw new EngineError(
      'child-run',
      `${context.field ?? `steps.${step.id}`}: ${call.name} (run ${outcome.run}) ${outcome.status}`,
      { run: outcome.run, status: outcome.status },
    );
  }
  return {
    output: outcome.output,
    input: context.host.redact({ workflow: call.name, version: call.version ?? null, inputs }),
  };
}
