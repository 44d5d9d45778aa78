/**
 * Run journals for store tests, written through the real store API: finished runs, runs left
 * running (writer open), and interrupted ones (a writer that went away), on chosen days.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { v7 as uuidv7 } from 'uuid';
import type { ContentId } from '../../core/src/model/content-id.js';
import {
  RUN_FORMAT,
  type RoutingDecision,
  type RunHeader,
  type RunMode,
} from '../../core/src/model/runs.js';
import type { RunWriter, Store } from '../../core/src/store/store.js';

export interface RunSpec {
  readonly workflow: string;
  /** Default: a version derived from the workflow's name, seq 1. */
  readonly version?: { readonly id: ContentId; readonly seq?: number };
  /** When the run starts (its id embeds this time, so it also picks the day folder). */
  readonly at?: Date;
  readonly mode?: RunMode;
  readonly parent?: { readonly run: string; readonly step: string };
  /** The channel's decision, for a run of `name@<channel>`. */
  readonly routing?: RoutingDecision;
  /** Who writes it: default this process on this machine. */
  readonly writer?: { readonly pid: number; readonly host: string };
}

/** A content id made from a short label (`v1` → sha256:0…0v1 in hex). */
export function versionId(label: string): ContentId {
  const hex = Buffer.from(label).toString('hex').slice(0, 64);
  return `sha256:${hex.padStart(64, '0')}` as ContentId;
}

/** The header of a new run: a fresh time-ordered id whose time is `spec.at`. */
export function runHeader(spec: RunSpec): RunHeader {
  const at = spec.at ?? new Date();
  return {
    format: RUN_FORMAT,
    id: uuidv7({ msecs: at.getTime() }),
    workflow: spec.workflow,
    version: spec.version ?? { id: versionId(spec.workflow), seq: 1 },
    mode: spec.mode ?? { kind: 'live' },
    input: { ticket: 'The invoice was charged twice.' },
    engine: { version: 'test' },
    startedAt: at.toISOString(),
    ...(spec.parent ? { parent: spec.parent } : {}),
    ...(spec.routing ? { routing: spec.routing } : {}),
    writer: spec.writer ?? { pid: process.pid, host: os.hostname() },
  };
}

/** Starts a run and records `steps` steps, leaving the writer open (the run is `running`). */
export async function startRun(
  store: Store,
  spec: RunSpec,
  steps = 2,
): Promise<{ id: string; writer: RunWriter }> {
  const header = runHeader(spec);
  const writer = await store.createRun(header);
  for (let i = 0; i < steps; i++) {
    const path = `step${i}`;
    const at = header.startedAt;
    await writer.append({ type: 'step-started', path, step: path, at });
    await writer.append({
      type: 'step-finished',
      record: {
        path,
        step: path,
        status: 'succeeded',
        output: { n: i },
        attempts: 1,
        startedAt: at,
        finishedAt: at,
      },
    });
  }
  return { id: header.id, writer };
}

/** Records a whole run that ends with `status`. */
export async function recordRun(
  store: Store,
  spec: RunSpec,
  status: 'succeeded' | 'failed' | 'cancelled' = 'succeeded',
): Promise<string> {
  const { id, writer } = await startRun(store, spec);
  await finishRun(writer, status, spec.at);
  return id;
}

/** Appends `run-finished` and closes the writer. */
export async function finishRun(
  writer: RunWriter,
  status: 'succeeded' | 'failed' | 'cancelled' = 'succeeded',
  startedAt: Date = new Date(),
): Promise<void> {
  await writer.append({
    type: 'run-finished',
    status,
    output: status === 'succeeded' ? { ok: true } : null,
    ...(status === 'failed' ? { error: { code: 'test', message: 'it failed' } } : {}),
    at: new Date(startedAt.getTime() + 1500).toISOString(),
  });
  await writer.close();
}

/**
 * Records a run whose writer went away before finishing it (`interrupted`): its writer is a
 * process of this machine that no longer exists.
 */
export async function recordInterruptedRun(store: Store, spec: RunSpec): Promise<string> {
  const { id, writer } = await startRun(store, { ...spec, writer: deadWriter() });
  await writer.close();
  return id;
}

/** A writer identity whose process has exited. */
export function deadWriter(): { pid: number; host: string } {
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error('could not start a process to take its pid');
  return { pid: child.pid, host: os.hostname() };
}

/** A routing decision of `channel` that sent the run to `version` as `target`. */
export function routedBy(
  channel: string,
  bucket: number,
  target: RoutingDecision['target'],
  version: ContentId,
): RoutingDecision {
  return { channel, revision: 3, bucket, sticky: true, target, version };
}

/** Midday UTC `daysAgo` days before now (runs on distinct, past day folders). */
export function daysAgo(days: number, plusMs = 0): Date {
  const date = new Date();
  date.setUTCHours(12, 0, 0, 0);
  return new Date(date.getTime() - days * 86_400_000 + plusMs);
}
