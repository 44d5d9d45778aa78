/**
 * Realistic publish payloads for the benchmarks: a ~45-line workflow (8 LLM steps with prompts),
 * different for every revision so that every version has its own id, spread over many workflow
 * names. The same requests feed every backend, so they all store exactly the same bytes.
 */
import { stringify } from 'yaml';
import type { StepDefinition, WorkflowDefinition } from '../../core/src/model/workflow.js';
import type { PublishRequest } from '../../core/src/store/records.js';

/** How many workflow names the versions are spread over. */
export const WORKFLOW_NAMES = 50;

const TASKS = [
  'Classify the ticket as billing, bug or how-to, and say why in one sentence',
  'List every product, plan and invoice the customer mentions, one per line',
  'Summarise what the customer already tried before writing to support',
  'Rate the urgency from 1 to 5 and name the sentence that decided it',
  'Find any promise our previous replies made that is still open',
  'Draft a first reply: friendly, short, and with exactly one clear next step',
  'Check the draft for claims the facts above do not support and remove them',
  'Rewrite the checked draft in the tone of voice of our support guidelines',
];

/** The workflow name of the `n`th version (0-based). */
export function workflowName(n: number): string {
  return `bench-flow-${String(n % WORKFLOW_NAMES).padStart(2, '0')}`;
}

/** The definition of revision `n` (0-based): the same shape every time, different text. */
export function benchDefinition(n: number): WorkflowDefinition {
  const steps: StepDefinition[] = TASKS.map((task, i) => ({
    id: `step_${i + 1}`,
    llm: {
      model: 'fast',
      prompt: `${task} (revision ${n}). Answer only from the ticket${i > 0 ? ' and the notes' : ''}. Ticket: \${{ inputs.ticket }}${i > 0 ? ` Notes: \${{ steps.step_${i}.output }}` : ''}`,
    },
  }));
  return {
    name: workflowName(n),
    description: `Support triage pipeline, revision ${n}: classify, gather facts, draft and review a reply.`,
    inputs: {
      ticket: { type: 'string', description: 'The ticket text as the customer wrote it.' },
    },
    models: { fast: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0 } },
    steps,
    outputs: { reply: '${{ steps.step_8.output }}' },
  };
}

/** The YAML source of revision `n`, as a person would have written it. */
export function benchSource(n: number): string {
  return `# Benchmark workflow, revision ${n}.\n${stringify(benchDefinition(n), { lineWidth: 0 })}`;
}

/** A publish request for revision `n`; `start` fixes the timestamps so runs are reproducible. */
export function benchRequest(n: number, start = Date.UTC(2025, 0, 1)): PublishRequest {
  const at = new Date(start + n * 60_000).toISOString();
  const git = { commit: (n * 2654435761).toString(16).padStart(40, '0').slice(-40), dirty: false };
  return {
    version: {
      definition: benchDefinition(n),
      source: benchSource(n),
      sourcePath: `workflows/${workflowName(n)}.workflow.yaml`,
      createdAt: at,
      author: 'Bench Author <bench@example.com>',
      git,
    },
    message: `Revision ${n}: tighten the review prompt`,
    at,
    author: 'Bench Author <bench@example.com>',
    git,
  };
}
