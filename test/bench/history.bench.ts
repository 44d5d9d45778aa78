/**
 * The History view's first page with 100 000 runs in the store (the one the recording benchmark
 * filled): what the view asks the workspace service when it opens (the workflows, the first
 * workflow's versions with their run counts, the first page of its runs), timed from the first
 * request to the last answer.
 *
 * - cold: a fresh service process, right after it says it is ready (its index loads on the first
 *   request): target ≤ 1 s;
 * - warm: the same service asked again (the view refreshed, or opened again): target ≤ 100 ms.
 *
 * Facts are reported, never asserted.
 */
import path from 'node:path';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { RunsRequest, VersionsRequest, WorkflowsRequest } from '../../core/src/service/protocol.js';
import { runWorkflow } from '../helpers/journal-fill.js';
import type { FilledStores } from './runs.bench.js';
import { startServiceChild } from './service-child.js';
import { ms, summarize, table, type Summary } from './stats.js';

export interface HistoryBenchResult {
  readonly name: 'history-first-page';
  readonly runs: number;
  readonly cold: Summary;
  readonly warm: Summary;
  /** Runs on the first page (a check that the page was real). */
  readonly pageRuns: number;
  readonly verdict: { readonly warmWithin100ms: boolean; readonly coldWithin1s: boolean };
  readonly report: string;
}

export async function runHistoryBench(
  filled: FilledStores,
  coldProcesses = 3,
  warmPages = 20,
  log: (line: string) => void = () => undefined,
): Promise<HistoryBenchResult> {
  const folder = path.dirname(filled.lockstepRoot);
  const cold: number[] = [];
  const warm: number[] = [];
  let pageRuns = 0;
  for (let i = 0; i < coldProcesses; i++) {
    log(`history first page: service process ${i + 1} of ${coldProcesses}`);
    const service = await startServiceChild(folder);
    try {
      const first = await firstPage(service.connection);
      cold.push(first.ms);
      pageRuns = first.runs;
      if (i === coldProcesses - 1) {
        for (let j = 0; j < warmPages; j++) warm.push((await firstPage(service.connection)).ms);
      }
    } finally {
      service.stop();
    }
  }
  const coldSummary = summarize(cold);
  const warmSummary = summarize(warm);
  const verdict = {
    warmWithin100ms: warmSummary.median <= 100,
    coldWithin1s: coldSummary.median <= 1_000,
  };
  return {
    name: 'history-first-page',
    runs: filled.runs,
    cold: coldSummary,
    warm: warmSummary,
    pageRuns,
    verdict,
    report: [
      `History view, first page (workflows, versions with run counts, 20 runs) with ${filled.runs} runs, through the workspace service:`,
      table(
        ['', 'median', 'min', 'max', 'target'],
        [
          [
            'cold (fresh service)',
            ms(coldSummary.median),
            ms(coldSummary.min),
            ms(coldSummary.max),
            '≤ 1 s',
          ],
          [
            'warm (same service)',
            ms(warmSummary.median),
            ms(warmSummary.min),
            ms(warmSummary.max),
            '≤ 100 ms',
          ],
        ],
      ),
      `  ${pageRuns} runs on the page; cold ${verdict.coldWithin1s ? 'meets' : 'misses'} its target, warm ${verdict.warmWithin100ms ? 'meets' : 'misses'} its target.`,
    ].join('\n'),
  };
}

/** The three requests the view makes when it opens, timed together. */
async function firstPage(connection: MessageConnection): Promise<{ ms: number; runs: number }> {
  const started = performance.now();
  await connection.sendRequest(WorkflowsRequest);
  // The filled store holds runs only (no versions, so no listed workflows): open the first
  // workflow the runs name, as the view would open a listed one.
  const workflow = runWorkflow(0);
  await connection.sendRequest(VersionsRequest, { workflow });
  const { runs } = await connection.sendRequest(RunsRequest, { workflow, limit: 20 });
  if (runs.length === 0) throw new Error(`the filled store has no runs of ${workflow}`);
  return { ms: performance.now() - started, runs: runs.length };
}
