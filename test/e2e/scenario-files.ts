/**
 * The workflow files the end-to-end scenarios open, and where things are in them: expected
 * positions are computed from the text rather than written down twice. No imports, so both the
 * Playwright suite and the extension-host suite (bundled by esbuild) can use it.
 */

/** A 1-based editor position, as VS Code's status bar shows it. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Three errors: an unknown model, a misspelt step reference, a call of a missing workflow. */
export const BROKEN = {
  name: 'broken.workflow.yaml',
  text: [
    'name: broken-triage',
    'inputs:',
    '  ticket:',
    '    type: string',
    'models:',
    '  fast:',
    '    provider: openai',
    '    model: llama3.1:8b',
    '    api_key: ${{ secrets.OPENAI_API_KEY }}',
    'steps:',
    '  - id: classify',
    '    llm:',
    '      model: fastest',
    "      prompt: 'Classify: ${{ inputs.ticket }}'",
    '  - id: reply',
    '    llm:',
    '      model: fast',
    "      prompt: 'Reply to ${{ steps.clasify.output }}'",
    '  - id: escalate',
    '    workflow:',
    '      name: escalation',
    'outputs:',
    '  reply: ${{ steps.reply.output }}',
    '',
  ].join('\n'),
};

/** The workflow BROKEN calls, written to disk during the file-watching scenario. */
export const ESCALATION = {
  name: 'escalation.workflow.yaml',
  text: ['name: escalation', 'steps:', '  - id: notify', '    transform: escalated', ''].join('\n'),
};

/**
 * A valid workflow whose last expression the completion scenario rewrites to `steps.`. Its name
 * also matches Docker Compose's `compose.*.yaml`: the workflow language must still win (it does
 * through a longer `filenamePatterns` entry; `extensions` alone lost).
 */
export const COMPOSE = {
  name: 'compose.workflow.yaml',
  text: [
    'name: compose',
    'inputs:',
    '  topic:',
    '    type: string',
    'steps:',
    '  - id: outline',
    '    transform: ${{ inputs.topic }}',
    '  - id: draft',
    '    transform: ${{ steps.outline.output }}',
    '  - id: review',
    '    transform: ${{ inputs.topic }}',
    '',
  ].join('\n'),
};

/** A small valid workflow the version scenarios edit, save, publish, compare and restore. */
export const GREETING = {
  name: 'greeting.workflow.yaml',
  text: [
    'name: greeting',
    'inputs:',
    '  who:',
    '    type: string',
    'steps:',
    '  - id: hello',
    '    transform: ${{ "Hello, " & inputs.who }}',
    'outputs:',
    '  text: ${{ steps.hello.output }}',
    '',
  ].join('\n'),
};

/** A workflow whose second step fails: a run of it shows the failed step in History. */
export const FAILING = {
  name: 'failing.workflow.yaml',
  text: [
    'name: failing',
    'steps:',
    '  - id: prepare',
    '    transform: ready',
    '  - id: explode',
    '    transform: ${{ $error("the ticket names no customer") }}',
    '',
  ].join('\n'),
};

/** A workflow that waits on a server the scenario answers when it wants: a run in progress. */
export function slowWorkflow(origin: string): { name: string; text: string } {
  return {
    name: 'slow.workflow.yaml',
    text: [
      'name: slow',
      'steps:',
      '  - id: first',
      '    transform: started',
      '  - id: wait',
      `    http: { url: "${origin}/release" }`,
      '',
    ].join('\n'),
  };
}

/**
 * The 1-based position of the `occurrence`-th (from 1; -1 = last) `needle` in `text`, moved
 * `offset` characters into it.
 * @throws Error when `needle` does not occur so often.
 */
export function positionOf(text: string, needle: string, offset = 0, occurrence = 1): Position {
  const starts: number[] = [];
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) starts.push(at);
  const start = occurrence === -1 ? starts.at(-1) : starts[occurrence - 1];
  if (start === undefined) throw new Error(`'${needle}' does not occur ${occurrence} time(s)`);
  const before = text.slice(0, start + offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

/** A workflow asking a model (the suite's loopback OpenAI-compatible server) one question. */
export function answerWorkflow(baseUrl: string): { name: string; text: string } {
  return {
    name: 'answer.workflow.yaml',
    text: [
      'name: answer',
      'inputs:',
      '  question:',
      '    type: string',
      '    default: What does Lockstep do?',
      'models:',
      '  fast:',
      '    provider: openai',
      '    model: loopback-model',
      `    base_url: ${baseUrl}`,
      'steps:',
      '  - id: ask',
      '    llm:',
      '      model: fast',
      "      prompt: 'Answer briefly: ${{ inputs.question }}'",
      '  - id: tidy',
      '    transform: ${{ $trim(steps.ask.output) }}',
      'outputs:',
      '  answer: ${{ steps.tidy.output }}',
      '',
    ].join('\n'),
  };
}

/** ANSWER_WORKFLOW with its model's key from `secrets.OPENAI_API_KEY` (listed in the config). */
export function keyedWorkflow(baseUrl: string): { name: string; text: string } {
  const plain = answerWorkflow(baseUrl);
  return {
    name: 'keyed.workflow.yaml',
    text: plain.text
      .replace('name: answer', 'name: keyed')
      .replace(
        `    base_url: ${baseUrl}`,
        `    base_url: ${baseUrl}\n    api_key: \${{ secrets.OPENAI_API_KEY }}`,
      ),
  };
}

/** A workflow with a typed input: the runner's form refuses text where a number goes. */
export const REPEAT = {
  name: 'repeat.workflow.yaml',
  text: [
    'name: repeat',
    'inputs:',
    '  word:',
    '    type: string',
    '    description: The word to repeat.',
    '  times:',
    '    type: integer',
    '    description: How many times.',
    'steps:',
    '  - id: repeat',
    '    transform: ${{ ( $w := inputs.word; $join($map([1..inputs.times], function($i) { $w }), " ") ) }}',
    'outputs:',
    '  text: ${{ steps.repeat.output }}',
    '',
  ].join('\n'),
};
