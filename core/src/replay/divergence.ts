/**
 * A divergence: an exact replay asked for something the recording does not hold. The report
 * names the first divergent step path and shows the recorded and the new request side by side,
 * with the closest recorded one and a diff of the two canonical requests. A replay never falls
 * back to "the next recorded response".
 */
import { createTwoFilesPatch, diffLines } from 'diff';
import type { JsonValue } from '../model/workflow.js';
import { EngineError } from '../engine/engine-error.js';
import type { EffectKind, EffectRecord } from '../model/runs.js';
import type { RecordedEffects } from './recorded-effects.js';

export interface DivergenceReport {
  /** The step path where the replay diverged. */
  readonly path: string;
  readonly kind: EffectKind;
  readonly occurrence: number;
  /** What the replay asked for now. */
  readonly now: { readonly key: string; readonly request: JsonValue };
  /** The closest recorded request (same path and kind when there is one), if any. */
  readonly recorded?: {
    readonly path: string;
    readonly key: string;
    readonly occurrence: number;
    readonly request: JsonValue;
  };
  /** A unified diff from the recorded request to the new one (pretty canonical JSON). */
  readonly diff: string;
}

/** The error a replay stops with at its first divergence; the report is its detail. */
export class DivergenceError extends EngineError {
  constructor(readonly report: DivergenceReport) {
    const where = report.recorded
      ? `the recording has a different ${report.kind} request here (closest: ${report.recorded.key.slice(0, 23)}…)`
      : `the recording has no ${report.kind} request here`;
    super(
      'divergence',
      `${report.path}: the replay diverged: it asked for a ${report.kind} request (${report.now.key.slice(0, 23)}…, occurrence ${report.occurrence}) that the run did not make; ${where}`,
      report as unknown as JsonValue,
    );
  }
}

/** Builds the report for a request the recording does not hold. */
export function divergenceReport(
  recorded: RecordedEffects,
  path: string,
  kind: EffectKind,
  now: { key: string; request: JsonValue },
  occurrence: number,
): DivergenceReport {
  const closest = closestRecorded(recorded, path, kind, now.request, occurrence);
  // The same request at another occurrence (a retry the recording does not have): no diff.
  const diff =
    closest && pretty(closest.request) !== pretty(now.request)
      ? createTwoFilesPatch(
          `recorded ${closest.path} (${closest.key.slice(0, 23)}…)`,
          `now ${path} (${now.key.slice(0, 23)}…)`,
          pretty(closest.request),
          pretty(now.request),
          undefined,
          undefined,
          { context: 3 },
        ).replace(/^=+\n/, '')
      : '';
  return {
    path,
    kind,
    occurrence,
    now,
    ...(closest
      ? {
          recorded: {
            path: closest.path,
            key: closest.key,
            occurrence: closest.occurrence,
            request: closest.request,
          },
        }
      : {}),
    diff,
  };
}

/**
 * The recorded effect most like the new request: at the same path and kind (the same occurrence
 * first), else of the same kind anywhere; among several, the one whose request differs in the
 * fewest lines.
 */
function closestRecorded(
  recorded: RecordedEffects,
  path: string,
  kind: EffectKind,
  request: JsonValue,
  occurrence: number,
): EffectRecord | undefined {
  const here = recorded.at(path, kind);
  const sameOccurrence = here.filter((e) => e.occurrence === occurrence);
  const candidates =
    sameOccurrence.length > 0 ? sameOccurrence : here.length > 0 ? here : recorded.ofKind(kind);
  let best: EffectRecord | undefined;
  let bestDistance = Infinity;
  const text = pretty(request);
  for (const candidate of candidates) {
    const distance = diffLines(pretty(candidate.request), text)
      .filter((part) => part.added || part.removed)
      .reduce((sum, part) => sum + (part.count ?? 1), 0);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Canonical-order JSON, indented, so diffs are stable and readable. */
export function pretty(value: JsonValue | undefined): string {
  return `${JSON.stringify(sortKeys(value ?? null), null, 2)}\n`;
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key]!)]),
    );
  }
  return value;
}
