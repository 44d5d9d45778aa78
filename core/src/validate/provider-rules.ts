/**
 * What a model's provider cannot take, checked before a run rather than answered with a 400 by the
 * provider: Anthropic's Messages API has no `seed`, takes a temperature up to 1 (not 2), and one
 * system prompt, given before the conversation. Checked on the models and on every `llm` step that
 * uses one (a step may override sampling parameters and give its own messages). That it needs
 * `max_tokens` is the schema's rule (`workflow.schema.json`), so editors using the schema see it too.
 */
import type { WorkflowDefinition } from '../model/workflow.js';
import type { JsonPath } from '../parse/source-locator.js';

/** A setting the provider cannot take, and where it is. */
export interface ProviderProblem {
  readonly path: JsonPath;
  readonly message: string;
}

/** The largest temperature Anthropic accepts. */
const ANTHROPIC_MAX_TEMPERATURE = 1;

/** Every provider problem of a definition, models first, then steps in order. */
export function providerProblems(definition: WorkflowDefinition): ProviderProblem[] {
  const problems: ProviderProblem[] = [];
  const models = definition.models ?? {};
  for (const [name, model] of Object.entries(models)) {
    if (model.provider !== 'anthropic') continue;
    problems.push(...samplingProblems(model, ['models', name], 'the anthropic provider'));
  }
  definition.steps.forEach((step, index) => {
    const llm = step.llm;
    if (!llm || !Object.hasOwn(models, llm.model)) return;
    if (models[llm.model]!.provider !== 'anthropic') return;
    const path = ['steps', index, 'llm'];
    problems.push(
      ...samplingProblems(llm, path, `model '${llm.model}' uses the anthropic provider, which`),
    );
    llm.messages?.forEach((message, i) => {
      if (message.role === 'system' && i > 0) {
        problems.push({
          path: [...path, 'messages', i, 'role'],
          message: `model '${llm.model}' uses the anthropic provider, which takes one system message, the first: move this one into messages[0] (or use system:)`,
        });
      }
    });
  });
  return problems;
}

/**
 * `seed` and `temperature` where a model or a step gives them for an Anthropic model.
 * @param subject what the message says has no seed (the provider, or a step's model).
 */
function samplingProblems(
  settings: { readonly seed?: number; readonly temperature?: number },
  path: JsonPath,
  subject: string,
): ProviderProblem[] {
  const problems: ProviderProblem[] = [];
  if (settings.seed !== undefined) {
    problems.push({
      path: [...path, 'seed'],
      message: `${subject} has no seed: remove it`,
    });
  }
  if (settings.temperature !== undefined && settings.temperature > ANTHROPIC_MAX_TEMPERATURE) {
    problems.push({
      path: [...path, 'temperature'],
      message: `${subject} takes a temperature from 0 to ${ANTHROPIC_MAX_TEMPERATURE} (got ${settings.temperature})`,
    });
  }
  return problems;
}
