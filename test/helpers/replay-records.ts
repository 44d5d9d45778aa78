/**
 * Run records made by hand for comparison and provenance tests: steps and effects with only the
 * fields that matter, everything else filled in.
 */
import type { JsonValue } from '../../core/src/model/workflow.js';
import type { EffectRecord, RunRecord, RunStatus, StepRecord } from '../../core/src/model/runs.js';
import { runHeader, versionId } from './run-records.js';

const AT = '2026-01-01T00:00:00.000Z';

/** A succeeded step record (override anything). */
export function step(
  path: string,
  output: JsonValue,
  extra: Partial<Omit<StepRecord, 'path' | 'output'>> = {},
): StepRecord {
  return {
    path,
    step: path.replace(/\[.*$/, ''),
    status: 'succeeded',
    output,
    attempts: 1,
    startedAt: AT,
    finishedAt: AT,
    ...extra,
  };
}

/** A model-call effect with token usage. */
export function llmEffect(
  path: string,
  model: string,
  usage: { input: number; output: number },
): EffectRecord {
  return {
    path,
    kind: 'llm',
    key: `rk1:sha256:${'0'.repeat(64)}`,
    occurrence: 0,
    request: { provider: 'openai', model, messages: [] },
    response: { content: 'x', finishReason: 'stop' },
    usage,
    latencyMs: 1,
    at: AT,
  };
}

export interface RecordSpec {
  readonly steps: readonly StepRecord[];
  readonly output?: JsonValue;
  readonly status?: RunStatus;
  readonly effects?: readonly EffectRecord[];
  /** How long the run took (ms). */
  readonly durationMs?: number;
  readonly version?: string;
}

/** A finished run record. */
export function runRecord(spec: RecordSpec): RunRecord {
  const header = {
    ...runHeader({ workflow: 'compared', at: new Date(AT) }),
    version: { id: versionId(spec.version ?? 'v1') },
  };
  return {
    header,
    status: spec.status ?? 'succeeded',
    output: spec.output ?? null,
    steps: spec.steps,
    effects: spec.effects ?? [],
    finishedAt: new Date(Date.parse(AT) + (spec.durationMs ?? 100)).toISOString(),
  };
}
