/**
 * Realistic 10-step runs, and a fast way to fill a store with many of them: each journal is
 * written whole, in the exact format the run journal writes (one JSON event per line), in the day
 * folder its time-ordered id belongs to. The same events feed timed recordings and the SQLite
 * yardstick, so every backend stores the same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { runDay } from '../../core/src/node/store/files/run-journals.js';
import type { ContentId } from '../../core/src/model/content-id.js';
import { RUN_FORMAT, type RunEvent, type RunHeader } from '../../core/src/model/runs.js';

/** Workflow names the runs are spread over. */
export const RUN_WORKFLOWS = 20;
/** Steps per run. */
export const RUN_STEPS = 10;

export type FillStatus = 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** The workflow of run `n`. */
export function runWorkflow(n: number): string {
  return `flow-${String(n % RUN_WORKFLOWS).padStart(2, '0')}`;
}

/** Run `n`'s outcome: mostly succeeded, some failed or cancelled, a few interrupted. */
export function fillStatus(n: number): FillStatus {
  if (n % 1000 === 11) return 'interrupted';
  if (n % 500 === 3) return 'cancelled';
  if (n % 100 === 7) return 'failed';
  return 'succeeded';
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** One of three versions per workflow, published as seq 1–3. */
function versionOf(n: number): { id: ContentId; seq: number } {
  const seq = (Math.floor(n / RUN_WORKFLOWS) % 3) + 1;
  return { id: `sha256:${hex(n % RUN_WORKFLOWS, 8)}${hex(seq, 56)}` as ContentId, seq };
}

/**
 * The header and the events after `run-started` of run `n`, started at `at`: ten steps, each a
 * model call (step-started, effect, step-finished), then run-finished (none when interrupted).
 */
export function tenStepRun(
  n: number,
  at: Date,
  writer: RunHeader['writer'] = { pid: process.pid, host: os.hostname() },
  status: FillStatus = 'succeeded',
): { header: RunHeader; events: RunEvent[] } {
  const t0 = at.getTime();
  const time = (ms: number): string => new Date(t0 + ms).toISOString();
  const header: RunHeader = {
    format: RUN_FORMAT,
    id: uuidv7({ msecs: t0 }),
    workflow: runWorkflow(n),
    version: versionOf(n),
    mode: { kind: 'live' },
    input: {
      ticket: `Order #${10_000 + n}: I was charged twice for the Pro plan this month. Please refund one.`,
      customer_id: `cus_${hex(n, 8)}`,
    },
    engine: { version: '0.1.0' },
    startedAt: time(0),
    writer,
  };
  const events: RunEvent[] = [];
  let notes = '';
  for (let i = 0; i < RUN_STEPS; i++) {
    const stepPath = `step_${i + 1}`;
    const startedAt = time(i * 120 + 1);
    const finishedAt = time(i * 120 + 110);
    const prompt = `Step ${i + 1} of the triage of ticket ${10_000 + n}. Ticket: ${header.input.ticket as string} Notes so far: ${notes.slice(0, 120)}`;
    const answer = `Step ${i + 1}: billing issue, duplicate charge confirmed for order #${10_000 + n}; refund one payment.`;
    events.push({ type: 'step-started', path: stepPath, step: stepPath, at: startedAt });
    events.push({
      type: 'effect',
      effect: {
        path: stepPath,
        kind: 'llm',
        key: `rk1:sha256:${hex(n, 16)}${hex(i, 48)}`,
        occurrence: 0,
        request: {
          provider: 'openai',
          model: 'gpt-4o-mini',
          messages: [
            { role: 'system', content: 'You are a careful support triage assistant.' },
            { role: 'user', content: prompt },
          ],
          temperature: 0,
        },
        response: { content: answer, finishReason: 'stop' },
        latencyMs: 105,
        usage: { input: 96, output: 24 },
        at: finishedAt,
      },
    });
    events.push({
      type: 'step-finished',
      record: {
        path: stepPath,
        step: stepPath,
        status: 'succeeded',
        input: { model: 'gpt-4o-mini', prompt },
        output: answer,
        attempts: 1,
        startedAt,
        finishedAt,
      },
    });
    notes += `${answer} `;
  }
  if (status !== 'interrupted') {
    events.push({
      type: 'run-finished',
      status,
      output: status === 'succeeded' ? { reply: notes.slice(0, 200) } : null,
      ...(status === 'failed'
        ? { error: { code: 'http-status', message: 'step_10: the model answered 500' } }
        : {}),
      at: time(RUN_STEPS * 120 + 5),
    });
  }
  return { header, events };
}

/** The journal text of a run: one JSON event per line, as the journal writer writes them. */
export function journalText(run: { header: RunHeader; events: readonly RunEvent[] }): string {
  const lines = [JSON.stringify({ type: 'run-started', header: run.header })];
  for (const event of run.events) lines.push(JSON.stringify(event));
  return `${lines.join('\n')}\n`;
}

export interface FillOptions {
  /** The time of run 0; run `n` starts `spacingMs × n` later. */
  readonly origin: number;
  readonly spacingMs: number;
  /** The writer named in every header (a process that is gone: unfinished runs are interrupted). */
  readonly writer: RunHeader['writer'];
  /** Sees each run as it is written (to fill another backend with the same runs). */
  readonly onRun?: (run: { header: RunHeader; events: RunEvent[] }, text: string) => void;
}

/**
 * Writes the journals of runs `from` (inclusive) to `to` (exclusive) under `runsRoot`
 * (`.lockstep/local/runs`), without syncing: a fill, not a recording.
 */
export function writeJournals(
  runsRoot: string,
  from: number,
  to: number,
  options: FillOptions,
): void {
  const made = new Set<string>();
  for (let n = from; n < to; n++) {
    const run = tenStepRun(
      n,
      new Date(options.origin + n * options.spacingMs),
      options.writer,
      fillStatus(n),
    );
    const day = runDay(run.header.id);
    const dir = path.join(runsRoot, day);
    if (!made.has(day)) {
      mkdirSync(dir, { recursive: true });
      made.add(day);
    }
    const text = journalText(run);
    writeFileSync(path.join(dir, `${run.header.id}.jsonl`), text);
    options.onRun?.(run, text);
  }
}
