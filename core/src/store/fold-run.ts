/** Folds a run's journal into its record. Readers tolerate a journal cut short at any event. */
import type { JsonValue } from '../model/workflow.js';
import type {
  EffectRecord,
  RecordedError,
  RoutingDecision,
  RunEvent,
  RunHeader,
  RunRecord,
  RunStatus,
  RunSummary,
  StepRecord,
  TokenUsage,
} from '../model/runs.js';

/**
 * The record of a run from its events (in journal order). A journal without `run-finished` is
 * `running` when `writerAlive`, else `interrupted`.
 * @returns undefined when the journal does not even start with `run-started`.
 */
export function foldRun(events: readonly RunEvent[], writerAlive: boolean): RunRecord | undefined {
  const first = events[0];
  if (first?.type !== 'run-started') return undefined;
  const header: RunHeader = first.header;
  const steps: StepRecord[] = [];
  const effects: EffectRecord[] = [];
  let status: RunStatus = writerAlive ? 'running' : 'interrupted';
  let output: JsonValue = null;
  let error: RecordedError | undefined;
  let finishedAt: string | undefined;
  const started = new Map<string, { path: string; step: string; at: string }>();
  for (const event of events) {
    switch (event.type) {
      case 'step-started':
        started.set(event.path, { path: event.path, step: event.step, at: event.at });
        break;
      case 'step-finished':
        steps.push(event.record);
        started.delete(event.record.path);
        break;
      case 'effect':
        effects.push(event.effect);
        break;
      case 'run-finished':
        status = event.status;
        output = event.output;
        error = event.error;
        finishedAt = event.at;
        break;
      default:
        break;
    }
  }
  return {
    header,
    status,
    output,
    steps,
    effects,
    ...(error ? { error } : {}),
    ...(finishedAt ? { finishedAt } : {}),
    ...(started.size > 0 ? { inProgress: [...started.values()] } : {}),
  };
}

/** A run's summary for history lists. */
export function summarizeRun(record: RunRecord): RunSummary {
  const { header } = record;
  return {
    id: header.id,
    workflow: header.workflow,
    version: header.version,
    status: record.status,
    mode: header.mode.kind,
    startedAt: header.startedAt,
    ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
    ...(header.parent ? { parent: header.parent.run } : {}),
    ...routingOf(header),
    ...tokensOf(record),
  };
}

/**
 * The channel, bucket and target of the run's routing decision. A decision whose fields are not
 * of their types (a hand-edited header) is left out: a listing shows nothing rather than
 * something the run index could not store as it is, so the index and the scan agree.
 */
function routingOf(header: RunHeader): Pick<RunSummary, 'routing'> {
  // Typed as read from the file, not as written: any field may be missing or of another type.
  const routing = header.routing as Partial<RoutingDecision> | undefined;
  if (
    typeof routing?.channel !== 'string' ||
    typeof routing.bucket !== 'number' ||
    !Number.isInteger(routing.bucket) ||
    (routing.target !== 'stable' && routing.target !== 'candidate')
  ) {
    return {};
  }
  return {
    routing: { channel: routing.channel, bucket: routing.bucket, target: routing.target },
  };
}

/** The tokens of a run's model calls, summed; nothing when it made none with usage. */
function tokensOf(record: RunRecord): { tokens?: TokenUsage } {
  let input = 0;
  let output = 0;
  let counted = false;
  for (const effect of record.effects) {
    if (!effect.usage) continue;
    counted = true;
    input += effect.usage.input;
    output += effect.usage.output;
  }
  return counted ? { tokens: { input, output } } : {};
}

/**
 * The events of a finished run's journal from its record: the inverse of `foldRun` (folding them
 * gives the record back). Used to write a run that arrived whole (an imported bundle) into a
 * store. Step-start events are left out: they only matter for a run still in progress.
 * @throws Error for a run that has not finished (running or interrupted has no outcome to write).
 */
export function unfoldRun(record: RunRecord): RunEvent[] {
  const { status } = record;
  if (status === 'running' || status === 'interrupted') {
    throw new Error(
      `run ${record.header.id} is ${status}: only a finished run can be written whole`,
    );
  }
  return [
    ...recordedEvents(record),
    {
      type: 'run-finished',
      status,
      output: record.output,
      ...(record.error ? { error: record.error } : {}),
      at: record.finishedAt ?? record.header.startedAt,
    },
  ];
}

/**
 * The events of an interrupted run's journal from its record: its start, effects and finished
 * steps, and the steps it had started when its writer went away. Written and closed without an
 * end, they fold back into the same interrupted record (a run copied from another store).
 * @throws Error for a run that is not interrupted.
 */
export function unfoldInterruptedRun(record: RunRecord): RunEvent[] {
  if (record.status !== 'interrupted') {
    throw new Error(`run ${record.header.id} is ${record.status}, not interrupted`);
  }
  return [
    ...recordedEvents(record),
    ...(record.inProgress ?? []).map((step): RunEvent => ({
      type: 'step-started',
      path: step.path,
      step: step.step,
      at: step.at,
    })),
  ];
}

/** A run's start, effects and finished steps as journal events. */
function recordedEvents(record: RunRecord): RunEvent[] {
  return [
    { type: 'run-started', header: record.header },
    ...record.effects.map((effect): RunEvent => ({ type: 'effect', effect })),
    ...record.steps.map((step): RunEvent => ({ type: 'step-finished', record: step })),
  ];
}
