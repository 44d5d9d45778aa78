/**
 * `GET /v1/runs/:id/events`: a run's events as server-sent events, in journal order, until it
 * ends. The store is polled (it is the truth, whichever process writes the run): each look sends
 * what is new since the last one (`run-started`, `step-started` for steps seen in progress,
 * `effect`, `step-finished`, then `run-finished`). An attempt whose worker died sends
 * `run-interrupted` and the stream follows the job's next attempt; a job that cannot run sends
 * `job-failed`. Each event's data is the journal event with the run's id added.
 */
import type { ServerResponse } from 'node:http';
import type { RunRecord } from '../../../model/runs.js';
import type { Store } from '../../../store/store.js';
import type { RunQueue } from '../queue/run-queue.js';
import { viewRun } from './run-view.js';

export interface EventStreamOptions {
  /** Time between looks at the store (ms). Default 200. */
  readonly pollMs?: number;
  /** Aborted when the client goes away or the server stops. */
  readonly signal: AbortSignal;
}

/** The longest silence on a stream before a comment line is sent (ms). */
const KEEP_ALIVE_MS = 15_000;

/** What was sent of one run so far. */
interface Sent {
  started: boolean;
  steps: number;
  effects: number;
  inProgress: Set<string>;
  ended: boolean;
}

/** Streams the events of job or run `id` (known to exist) to `response`, then ends it. */
export async function streamRunEvents(
  queue: RunQueue,
  store: Store,
  id: string,
  response: ServerResponse,
  options: EventStreamOptions,
): Promise<void> {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  // Sent now, so the client knows the stream is open before the run has anything to say.
  response.flushHeaders();
  let sequence = 0;
  let lastWrite = Date.now();
  const send = (type: string, data: object): void => {
    lastWrite = Date.now();
    response.write(`id: ${++sequence}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const sent = new Map<string, Sent>();
  try {
    while (!options.signal.aborted) {
      const view = await viewRun(queue, store, id);
      if (view?.run) {
        const record = view.run;
        const state = sent.get(record.header.id) ?? freshSent();
        sent.set(record.header.id, state);
        sendNew(record, state, send);
        if (record.status !== 'running' && record.status !== 'interrupted') return;
        if (record.status === 'interrupted' && !state.ended) {
          state.ended = true;
          send('run-interrupted', { type: 'run-interrupted', run: record.header.id });
        }
      }
      if (view?.job?.state === 'failed') {
        send('job-failed', { type: 'job-failed', id, error: view.job.error ?? null });
        return;
      }
      if (view?.job?.state === 'done' && !view.run) return;
      // A comment line now and then keeps proxies from closing a stream waiting for a worker.
      if (Date.now() - lastWrite > KEEP_ALIVE_MS) {
        lastWrite = Date.now();
        response.write(': waiting\n\n');
      }
      await pause(options.pollMs ?? 200, options.signal);
    }
  } finally {
    response.end();
  }
}

function freshSent(): Sent {
  return { started: false, steps: 0, effects: 0, inProgress: new Set(), ended: false };
}

function sendNew(record: RunRecord, state: Sent, send: (type: string, data: object) => void): void {
  const run = record.header.id;
  if (!state.started) {
    state.started = true;
    send('run-started', { type: 'run-started', run, header: record.header });
  }
  for (const effect of record.effects.slice(state.effects)) {
    send('effect', { type: 'effect', run, effect });
  }
  state.effects = record.effects.length;
  for (const step of record.steps.slice(state.steps)) {
    send('step-finished', { type: 'step-finished', run, record: step });
  }
  state.steps = record.steps.length;
  for (const step of record.inProgress ?? []) {
    if (state.inProgress.has(step.path)) continue;
    state.inProgress.add(step.path);
    send('step-started', { type: 'step-started', run, ...step });
  }
  if (record.status !== 'running' && record.status !== 'interrupted') {
    send('run-finished', {
      type: 'run-finished',
      run,
      status: record.status,
      output: record.output,
      ...(record.error ? { error: record.error } : {}),
      at: record.finishedAt ?? null,
    });
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
