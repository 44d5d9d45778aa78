/**
 * From Run to the first step's status: what the runner waits for after a click. A workspace
 * service process runs a workflow file (its working copy, as the Run lens does) whose first step
 * asks a model on 127.0.0.1 that answers at once (OpenAI's wire protocol); timed from sending
 * `lockstep/run/start` to the `lockstep/run/progress` notification that the first step finished
 * (its ✓ in the runner), and to the one that it started. Target: ≤ 150 ms.
 *
 * The first run of a fresh service is reported apart (it stores the file's content and opens
 * the store); then `runs` runs after `warmUp` untimed ones. Facts are reported, never asserted.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  RunProgressNotification,
  RunStartRequest,
  type RunProgressParams,
} from '../../core/src/service/protocol.js';
import { loopbackModel } from '../helpers/loopback-model.js';
import { startServiceChild } from './service-child.js';
import { ms, summarize, table, type Summary } from './stats.js';

export interface RunStartBenchResult {
  readonly name: 'run-start';
  /** The first run of a fresh service. */
  readonly firstRun: { readonly stepStartedMs: number; readonly stepStatusMs: number };
  readonly stepStarted: Summary;
  readonly stepStatus: Summary;
  readonly verdict: { readonly within150ms: boolean };
  readonly report: string;
}

const WORKFLOW = (baseUrl: string): string =>
  [
    'name: instant',
    'inputs:',
    '  question: { type: string, default: What does Lockstep do? }',
    'models:',
    '  fast: { provider: openai, model: instant, base_url: "' + baseUrl + '" }',
    'steps:',
    '  - id: ask',
    '    llm: { model: fast, prompt: "Answer: ${{ inputs.question }}" }',
    '  - id: tidy',
    '    transform: ${{ $trim(steps.ask.output) }}',
    '',
  ].join('\n');

export async function runRunStartBench(
  runs = 30,
  warmUp = 3,
  log: (line: string) => void = () => undefined,
): Promise<RunStartBenchResult> {
  const model = await loopbackModel('Versions.');
  const folder = mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-run-start-'));
  mkdirSync(path.join(folder, '.lockstep'));
  const file = path.join(folder, 'instant.workflow.yaml');
  writeFileSync(file, WORKFLOW(model.baseUrl));
  const service = await startServiceChild(folder);
  try {
    const waiting = new Map<string, (event: RunProgressParams['event']) => void>();
    const early: RunProgressParams[] = [];
    service.connection.onNotification(RunProgressNotification, (progress) => {
      const listener = waiting.get(progress.run);
      if (listener) listener(progress.event);
      else early.push(progress);
    });
    /** One run: ms to the first step's start and to its status. */
    const timeOne = async (): Promise<{ stepStartedMs: number; stepStatusMs: number }> => {
      const started = performance.now();
      let stepStartedMs = Number.NaN;
      let resolveStatus!: (msTaken: number) => void;
      const status = new Promise<number>((resolve) => (resolveStatus = resolve));
      let resolveFinished!: () => void;
      const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
      const onEvent = (event: RunProgressParams['event']): void => {
        const now = performance.now() - started;
        if (event.type === 'step-started' && event.step === 'ask') stepStartedMs = now;
        if (event.type === 'step-finished' && event.step === 'ask') resolveStatus(now);
        if (event.type === 'run-finished') resolveFinished();
      };
      const { run } = await service.connection.sendRequest(RunStartRequest, {
        ref: file,
        input: {},
      });
      waiting.set(run, onEvent);
      // Progress that arrived before the answer (the service may report before it answers).
      for (const progress of early.splice(0)) if (progress.run === run) onEvent(progress.event);
      const stepStatusMs = await status;
      await finished;
      waiting.delete(run);
      return { stepStartedMs, stepStatusMs };
    };

    log('run start: first run of a fresh service');
    const firstRun = await timeOne();
    for (let i = 0; i < warmUp; i++) await timeOne();
    log(`run start: ${runs} runs`);
    const samples: { stepStartedMs: number; stepStatusMs: number }[] = [];
    for (let i = 0; i < runs; i++) samples.push(await timeOne());
    const stepStarted = summarize(samples.map((s) => s.stepStartedMs));
    const stepStatus = summarize(samples.map((s) => s.stepStatusMs));
    const verdict = { within150ms: stepStatus.median <= 150 };
    return {
      name: 'run-start',
      firstRun,
      stepStarted,
      stepStatus,
      verdict,
      report: [
        `Run → the first step's status, through the workspace service (a working copy whose first step asks a model on 127.0.0.1 that answers at once; ${runs} runs after ${warmUp} warm-up):`,
        table(
          ['', 'median', 'p95', 'max', 'first run', 'target'],
          [
            [
              "first step's status (✓)",
              ms(stepStatus.median),
              ms(stepStatus.p95),
              ms(stepStatus.max),
              ms(firstRun.stepStatusMs),
              '≤ 150 ms',
            ],
            [
              'first step started',
              ms(stepStarted.median),
              ms(stepStarted.p95),
              ms(stepStarted.max),
              ms(firstRun.stepStartedMs),
              '',
            ],
          ],
        ),
        `  The median ${verdict.within150ms ? 'meets' : 'misses'} the target (the runner's webview adds one message from the extension host to its page).`,
      ].join('\n'),
    };
  } finally {
    service.stop();
    await model.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

// `node out/test/bench/run-start.bench.js` runs it alone.
if (process.argv[1]?.endsWith('run-start.bench.js')) {
  const result = await runRunStartBench(undefined, undefined, (line) =>
    process.stderr.write(`  ${line}\n`),
  );
  console.log(result.report);
}
