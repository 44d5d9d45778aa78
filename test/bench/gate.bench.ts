/**
 * Gate throughput: `runGate` (what `lockstep gate` runs) drawing 50 of 200 recorded live runs of
 * the replay benchmark's 10-step workflow (6 model calls, 3 HTTP GETs, 1 transform) and replaying
 * them against a candidate whose draft prompt changed, the misses answered by a fixtures file
 * (`--on-miss stub`), in a workspace on disk with the real file store. Every replay is recorded
 * as a run with the durability of any run. The target of the pipeline issue: 50 runs in at most
 * 1 s. One untimed gate warms the process up (a CI job pays that once); the timed gates follow,
 * and each is checked (50 runs, every one changed at the draft), so the time is that of a correct
 * gate. Facts are reported, never asserted.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runGate, type GateReport } from '../../core/src/node/services/gate.js';
import { Workspace } from '../../core/src/node/workspace/workspace.js';
import { runVersion } from '../../core/src/runs/runner.js';
import type { Store } from '../../core/src/store/store.js';
import { benchTempRoot } from './publish.bench.js';
import { draftOf, EDITED_PROMPT, InstantExecutor, PROMPT, workflowText } from './replay.bench.js';
import { ms, round, summarize, table, type Summary } from './stats.js';

export interface GateBenchOptions {
  /** Live runs recorded of the baseline version. */
  readonly recorded: number;
  /** Runs each gate draws. */
  readonly sample: number;
  /** Timed gates (odd, so one is the median). */
  readonly passes: number;
}

export const DEFAULT_GATE_OPTIONS: GateBenchOptions = { recorded: 200, sample: 50, passes: 5 };

/** The pipeline issue's target for a gate of 50 runs. */
const TARGET_MS = 1_000;

export interface GateBenchResult {
  readonly options: GateBenchOptions;
  readonly gateMs: Summary;
  readonly runsPerSecond: number;
  readonly targetMs: number;
  /** Median gate time over the target: below 1 meets it. */
  readonly ratioToTarget: number;
  readonly report: string;
}

export async function runGateBench(
  options: GateBenchOptions = DEFAULT_GATE_OPTIONS,
  log: (line: string) => void = () => undefined,
): Promise<GateBenchResult> {
  const temp = benchTempRoot();
  const secrets = { OPENAI_API_KEY: 'sk-bench', CRM_TOKEN: 'crm-bench' };
  let store: Store | undefined;
  try {
    const storeDir = path.join(temp.dir, '.lockstep');
    const workspace = await Workspace.locate(temp.dir, { store: storeDir });
    store = await workspace.openStore({ create: true });
    writeFileSync(path.join(storeDir, 'config.yaml'), 'secrets: [OPENAI_API_KEY, CRM_TOKEN]\n');
    const fixtures = path.join(temp.dir, 'fixtures.yaml');
    writeFileSync(
      fixtures,
      [
        'models:',
        '  - step: draft',
        '    answer: Dear Ada, the double charge is refunded.',
        '  - step: review',
        '    answer: The reply follows the policy.',
        '',
      ].join('\n'),
    );
    const publish = async (text: string, message: string) => {
      const published = await store!.publish({
        version: draftOf(text),
        message,
        at: new Date().toISOString(),
        author: 'bench',
        git: null,
      });
      const record = await store!.getVersion('bench-triage', published.publication.version);
      if (!record) throw new Error('a published bench version cannot be read back');
      return { record, publication: published.publication };
    };
    const baseline = await publish(workflowText(PROMPT), 'bench: the baseline');
    await publish(workflowText(EDITED_PROMPT), 'bench: the candidate');

    log(`recording ${options.recorded} live runs of the baseline`);
    const instant = new InstantExecutor();
    const writer = { pid: process.pid, host: os.hostname() };
    for (let i = 0; i < options.recorded; i++) {
      await runVersion({
        store,
        version: baseline,
        input: {
          ticket: `Order #${10_000 + i}: I was charged twice for the Pro plan this month.`,
          customer_id: `cus_${i.toString(16).padStart(8, '0')}`,
        },
        executor: instant,
        secret: (name) => secrets[name as keyof typeof secrets],
        writer,
      });
    }

    const gate = async (): Promise<number> => {
      const started = performance.now();
      const report = await runGate(workspace, store!, 'bench-triage@2', {
        baseline: '1',
        sample: options.sample,
        onMiss: 'stub',
        fixtures,
        secret: (name) => secrets[name as keyof typeof secrets],
      });
      const elapsed = performance.now() - started;
      check(report, options.sample);
      return elapsed;
    };
    log('gate warm-up (untimed)');
    await gate();
    const times: number[] = [];
    for (let pass = 0; pass < options.passes; pass++) {
      log(`gate ${pass + 1} of ${options.passes}`);
      times.push(await gate());
    }
    const gateMs = summarize(times);
    const runsPerSecond = round((options.sample / gateMs.median) * 1000);
    const ratioToTarget = round(gateMs.median / TARGET_MS);
    const report = [
      `Gate: ${options.sample} of ${options.recorded} recorded live runs replayed against a candidate (misses stubbed), ${options.passes} gates`,
      table(
        ['', 'median', 'fastest', 'slowest', 'runs/s', 'target', 'median / target'],
        [
          [
            `gate of ${options.sample} runs`,
            `${ms(gateMs.median)} ms`,
            `${ms(gateMs.min)} ms`,
            `${ms(gateMs.max)} ms`,
            `${Math.round(runsPerSecond)}`,
            `${TARGET_MS} ms`,
            `${ratioToTarget}×`,
          ],
        ],
      ),
    ].join('\n');
    return { options, gateMs, runsPerSecond, targetMs: TARGET_MS, ratioToTarget, report };
  } finally {
    await store?.close();
    temp.cleanup();
  }
}

/** A gate that did not replay the whole sample, or missed the edit, is not a time to report. */
function check(report: GateReport, sample: number): void {
  const wrong = report.results.filter(
    (r) => r.change !== 'changed' || r.firstChangedStep !== 'draft',
  );
  if (report.results.length !== sample || wrong.length > 0) {
    throw new Error(
      `the bench gate replayed ${report.results.length} of ${sample} runs; ${wrong.length} not changed at draft: ${wrong[0]?.message ?? ''}`,
    );
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const result = await runGateBench(DEFAULT_GATE_OPTIONS, (line) =>
    process.stderr.write(`  ${line}\n`),
  );
  console.log(process.argv.includes('--json') ? JSON.stringify(result) : result.report);
}
