/**
 * Which workflows call a workflow through a channel (a `workflow` step whose `version` names the
 * channel): a gate's report names them, since a promotion on that channel changes what they run.
 */
import type { WorkflowDefinition } from '../model/workflow.js';

/** A workflow calling the gated one through the channel, and the steps that do. */
export interface ChannelCaller {
  readonly workflow: string;
  readonly steps: readonly string[];
}

/** The callers of `workflow` through `channel` among `definitions`, by name. */
export function callersThrough(
  definitions: readonly WorkflowDefinition[],
  workflow: string,
  channel: string,
): ChannelCaller[] {
  const callers: ChannelCaller[] = [];
  for (const definition of definitions) {
    const steps = definition.steps
      .filter((step) => step.workflow?.name === workflow && step.workflow.version === channel)
      .map((step) => step.id);
    if (steps.length > 0) callers.push({ workflow: definition.name, steps });
  }
  return callers.sort((a, b) => a.workflow.localeCompare(b.workflow));
}
