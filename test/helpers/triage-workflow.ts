/**
 * `triage`: one model call that classifies a ticket, its output the category. The model is an
 * OpenAI-compatible server at `baseUrl` (a loopback fake the test scripts); `OPENAI_API_KEY` is a
 * secret of the workspace's config (TRIAGE_CONFIG).
 */

/** The workflow's file name. */
export const TRIAGE_FILE = 'triage.workflow.yaml';

/** `.lockstep/config.yaml` declaring the key as a secret. */
export const TRIAGE_CONFIG = { '.lockstep/config.yaml': 'secrets: [OPENAI_API_KEY]\n' };

/** The workflow's text; `description` (a whole `description: …` line) makes a harmless change. */
export function triageWorkflow(baseUrl: string, description = ''): string {
  return `name: triage
${description}inputs:
  ticket: { type: string }
models:
  fast:
    provider: openai
    model: gpt-4o-mini
    base_url: ${baseUrl}
    api_key: \${{ secrets.OPENAI_API_KEY }}
steps:
  - id: classify
    llm: { model: fast, prompt: "Classify: \${{ inputs.ticket }}", output: json }
outputs:
  category: \${{ steps.classify.output.category }}
`;
}

/** The same workflow with its output changed (upper case): a change a test must catch. */
export function shoutingTriageWorkflow(baseUrl: string): string {
  return triageWorkflow(baseUrl).replace(
    'category: ${{ steps.classify.output.category }}',
    'category: ${{ $uppercase(steps.classify.output.category) }}',
  );
}
