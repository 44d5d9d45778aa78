/**
 * Answers effects from a recorded run. In an exact replay, a request the recording does not hold
 * stops the replay with a divergence report. In a replay against another version, recorded
 * answers are reused only where the canonical request is identical; a miss follows the policy:
 * `live` calls for real, `stub` answers from fixtures (or the step has no answer), `fail` stops.
 */
import type { JsonValue } from '../model/workflow.js';
import { EngineError } from '../engine/engine-error.js';
import type { ErrorCode } from '../model/errors.js';
import type { EffectCall, EffectOutcome } from '../engine/host.js';
import type { EffectExecutor, EffectIdentity } from '../runs/recording-host.js';
import { DivergenceError, divergenceReport } from './divergence.js';
import type { RecordedEffects } from './recorded-effects.js';

/** What a replay against another version does when the recording has no answer. */
export type MissPolicy = 'live' | 'stub' | 'fail';

export const MISS_POLICIES: readonly MissPolicy[] = ['live', 'stub', 'fail'];

export interface ReplayExecutorOptions {
  readonly recorded: RecordedEffects;
  /** `exact`: every miss is a divergence. `against`: misses follow `onMiss`. */
  readonly mode: 'exact' | 'against';
  readonly onMiss?: MissPolicy;
  /** Performs calls for real (for `live`, and for clock, random and env reads of new steps). */
  readonly live?: EffectExecutor;
  /** Answers from fixtures (for `stub`); a miss there too leaves the step without an answer. */
  readonly fixtures?: EffectExecutor;
}

export class ReplayExecutor implements EffectExecutor {
  constructor(private readonly options: ReplayExecutorOptions) {}

  async execute(
    call: EffectCall,
    signal: AbortSignal,
    identity: EffectIdentity,
  ): Promise<EffectOutcome> {
    const hit = this.options.recorded.get(call.path, call.kind, identity.key, identity.occurrence);
    if (hit) {
      // A recorded failure is answered as it was recorded, whatever engine version wrote its code.
      if (hit.error)
        throw new EngineError(hit.error.code as ErrorCode, hit.error.message, hit.error.detail);
      const response = hit.response ?? null;
      return hit.usage
        ? { response, usage: hit.usage, served: 'recording' }
        : { response, served: 'recording' };
    }
    if (this.options.mode === 'exact' || this.options.onMiss === 'fail') {
      throw new DivergenceError(
        divergenceReport(
          this.options.recorded,
          call.path,
          call.kind,
          { key: identity.key, request: call.request },
          identity.occurrence,
        ),
      );
    }
    // The clock, randomness and environment of steps the original run did not have are read for
    // real whatever the policy: they touch nothing outside.
    const readOnly = call.kind === 'clock' || call.kind === 'random' || call.kind === 'env';
    if (this.options.onMiss === 'live' || readOnly) {
      if (!this.options.live)
        throw new EngineError(
          'no-recording',
          `${call.path}: no recorded answer, and nothing to call live`,
        );
      return { ...(await this.options.live.execute(call, signal, identity)), served: 'live' };
    }
    if (this.options.fixtures && (call.kind === 'llm' || call.kind === 'http')) {
      try {
        return {
          ...(await this.options.fixtures.execute(call, signal, identity)),
          served: 'fixture',
        };
      } catch (error) {
        if (!(error instanceof EngineError && error.code === 'no-fixture')) throw error;
      }
    }
    throw new EngineError(
      'no-recording',
      `${call.path}: the original run has no answer for this ${call.kind} request${this.options.fixtures ? ' and no fixture matches it' : ''} (--on-miss stub); give a fixture, or use --on-miss live`,
      { request: call.request as JsonValue },
    );
  }
}
