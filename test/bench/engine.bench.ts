/**
 * The engine's own cost per step: long workflows run through `runVersion` with a provider that
 * answers at once and a MemoryStore, so what is left is expression evaluation, step bookkeeping,
 * effect identity (canonical request, request key), redaction and recording.
 *
 * - 200 transform steps, each an expression over the previous step's output;
 * - 50 llm steps, each a prompt template over the previous answer, answered instantly.
 *
 * Facts are reported, never asserted.
 */
import os from 'node:os';
import type { EffectCall, EffectOutcome } from '../../core/src/engine/host.js';
import type { JsonValue } from '../../core/src/model/workflow.js';
import type { EffectExecutor } from '../../core/src/runs/recording-host.js';
import { runVersion } from '../../core/src/runs/runner.js';
import type { ResolvedVersion } from '../../core/src/versions/resolve.js';
import { MemoryStore } from '../../core/src/store/memory-store.js';
import { makeVersionRecord } from '../../core/src/store/records.js';
import { validateWorkflowText } from '../../core/src/validate/validate-workflow.js';
import { ms, round, summarize, table, timeMs, type Summary } from './stats.js';

export interface EngineBenchOptions {
  readonly transformSteps: number;
  readonly llmSteps: number;
  readonly runs: number;
  readonly warmup: number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineBenchOptions = {
  transformSteps: 200,
  llmSteps: 50,
  runs: 20,
  warmup: 3,
};

export interface EngineCase {
  readonly name: string;
  readonly steps: number;
  /** Whole runs, ms. */
  readonly run: Summary;
  /** Median and p95 of run time / steps. */
  readonly perStep: { readonly median: number; readonly p95: number };
  /** Events recorded per run. */
  readonly events: number;
}

export interface EngineBenchResult {
  readonly name: 'engine-overhead';
  readonly options: EngineBenchOptions;
  readonly cases: readonly EngineCase[];
  readonly verdict: { readonly under0_2msPerStep: boolean };
  readonly report: string;
}

/** Answers every model call at once with a short text. */
class InstantExecutor implements EffectExecutor {
  async execute(call: EffectCall): Promise<EffectOutcome> {
    if (call.kind !== 'llm') throw new Error(`unexpected ${call.kind} effect at ${call.path}`);
    const response = { content: `noted (${call.path})`, finishReason: 'stop' } as JsonValue;
    return { response, usage: { input: 12, output: 3 } };
  }
}

function transformWorkflow(steps: number): string {
  const lines = ['name: many-transforms', 'inputs:', '  start:', '    type: integer', 'steps:'];
  for (let i = 1; i <= steps; i++) {
    const previous = i === 1 ? 'inputs.start' : `steps.t${i - 1}.output.n`;
    lines.push(
      `  - id: t${i}`,
      `    transform: { n: "\${{ ${previous} + 1 }}", label: "step ${i}" }`,
    );
  }
  lines.push('outputs:', `  n: \${{ steps.t${steps}.output.n }}`);
  return `${lines.join('\n')}\n`;
}

function llmWorkflow(steps: number): string {
  const lines = [
    'name: many-model-calls',
    'inputs:',
    '  ticket:',
    '    type: string',
    'models:',
    '  fast:',
    '    provider: openai',
    '    model: gpt-4o-mini',
    '    base_url: http://127.0.0.1:9/v1',
    '    temperature: 0',
    'steps:',
  ];
  for (let i = 1; i <= steps; i++) {
    const previous = i === 1 ? '' : ` Previous note: \${{ steps.m${i - 1}.output }}`;
    lines.push(
      `  - id: m${i}`,
      '    llm:',
      '      model: fast',
      '      system: You are a careful support triage assistant.',
      `      prompt: "Note ${i} on the ticket: \${{ inputs.ticket }}.${previous}"`,
    );
  }
  lines.push('outputs:', `  last: \${{ steps.m${steps}.output }}`);
  return `${lines.join('\n')}\n`;
}

function versionOf(text: string): ResolvedVersion {
  const validated = validateWorkflowText(text);
  if (!validated.definition) {
    throw new Error(
      `bench workflow does not validate: ${validated.diagnostics.map((d) => d.message).join('; ')}`,
    );
  }
  return {
    record: makeVersionRecord({
      definition: validated.definition,
      source: text,
      createdAt: new Date(0).toISOString(),
      author: 'bench',
      git: null,
    }),
  };
}

export async function runEngineBench(
  options: EngineBenchOptions = DEFAULT_ENGINE_OPTIONS,
  log: (line: string) => void = () => undefined,
): Promise<EngineBenchResult> {
  const cases = [
    await measure(
      `${options.transformSteps} transform steps`,
      options.transformSteps,
      versionOf(transformWorkflow(options.transformSteps)),
      { start: 0 },
      { n: options.transformSteps },
      options,
      log,
    ),
    await measure(
      `${options.llmSteps} llm steps (instant answers)`,
      options.llmSteps,
      versionOf(llmWorkflow(options.llmSteps)),
      { ticket: 'I was charged twice for the Pro plan this month.' },
      { last: `noted (m${options.llmSteps})` },
      options,
      log,
    ),
  ];
  const result = {
    name: 'engine-overhead' as const,
    options,
    cases,
    verdict: { under0_2msPerStep: cases.every((c) => c.perStep.median < 0.2) },
  };
  return { ...result, report: formatReport(result) };
}

async function measure(
  name: string,
  steps: number,
  version: ResolvedVersion,
  input: { [name: string]: JsonValue },
  expected: JsonValue,
  options: EngineBenchOptions,
  log: (line: string) => void,
): Promise<EngineCase> {
  log(`engine: ${name}…`);
  const writer = { pid: process.pid, host: os.hostname() };
  const executor = new InstantExecutor();
  let events = 0;
  const once = async (): Promise<void> => {
    const store = new MemoryStore();
    const result = await runVersion({
      store,
      version,
      input,
      executor,
      secret: () => undefined,
      writer,
    });
    if (result.status !== 'succeeded') {
      throw new Error(`${name}: the run ${result.status}: ${JSON.stringify(result.error)}`);
    }
    // The steps really ran: the output is the last step's, computed through every step.
    if (JSON.stringify(result.output) !== JSON.stringify(expected)) {
      throw new Error(`${name}: output ${JSON.stringify(result.output)}`);
    }
    const record = await store.getRun(result.id);
    events = 2 + (record?.steps.length ?? 0) * 2 + (record?.effects.length ?? 0);
  };
  for (let i = 0; i < options.warmup; i++) await once();
  const samples: number[] = [];
  for (let i = 0; i < options.runs; i++) samples.push(await timeMs(once));
  const run = summarize(samples);
  return {
    name,
    steps,
    run,
    perStep: { median: round(run.median / steps), p95: round(run.p95 / steps) },
    events,
  };
}

function formatReport(result: Omit<EngineBenchResult, 'report'>): string {
  const { options, cases, verdict } = result;
  return [
    `Engine overhead per step: runVersion with an executor that answers at once and a MemoryStore (${options.runs} runs each, after ${options.warmup} warm-up).`,
    '',
    table(
      ['workflow', 'run median', 'p95', 'per step median', 'p95', 'events recorded'],
      cases.map((c) => [
        c.name,
        `${ms(c.run.median)} ms`,
        `${ms(c.run.p95)} ms`,
        `${ms(c.perStep.median)} ms`,
        `${ms(c.perStep.p95)} ms`,
        `${c.events}`,
      ]),
    ),
    '',
    `Under 0.2 ms per step (issue 3's target): ${verdict.under0_2msPerStep ? 'yes' : 'NO'} (${cases.map((c) => `${ms(c.perStep.median)} ms for ${c.name}`).join(', ')}).`,
  ].join('\n');
}
