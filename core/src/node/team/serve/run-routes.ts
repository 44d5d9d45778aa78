/**
 * The run endpoints of `lockstep serve`: enqueue a run, read one, list runs. Bodies and queries
 * are checked here and every problem is answered as a 4xx naming the field.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { RUN_STATUSES, type RunStatus } from '../../../model/runs.js';
import type { JsonValue } from '../../../model/workflow.js';
import type { Store } from '../../../store/store.js';
import { parseRef } from '../../../versions/refs.js';
import { resolveRunnable } from '../../services/run-service.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { RunQueue } from '../queue/run-queue.js';
import { HttpError, readJsonBody, sendJson } from './http-io.js';
import { viewRun, type RunView } from './run-view.js';

export interface RouteContext {
  readonly workspace: Workspace;
  readonly store: Store;
  readonly queue: RunQueue;
}

/**
 * `POST /v1/runs` `{ workflow: "name@channel", input?: {…}, id?: uuid }`: 202 with the new job,
 * 200 with the existing one when `id` was enqueued before with the same request. With
 * `?wait=true` (60 s) or `?wait=<seconds>` (at most 300) it answers once the job is done or
 * failed, 200 with the job and its run, or 202 with them when the wait ran out.
 */
export async function postRun(
  context: RouteContext,
  request: IncomingMessage,
  response: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const waitMs = waitOf(query.get('wait'));
  const body = await readJsonBody(request);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(
      400,
      'invalid-request',
      'the body must be a JSON object: { "workflow": "name@channel", "input": { … } }',
    );
  }
  const { workflow, input, id } = body as { workflow?: unknown; input?: unknown; id?: unknown };
  if (typeof workflow !== 'string') {
    throw new HttpError(
      400,
      'invalid-request',
      'workflow: give the workflow to run as "name@channel" (or "name@3")',
    );
  }
  if (
    input !== undefined &&
    (input === null || typeof input !== 'object' || Array.isArray(input))
  ) {
    throw new HttpError(400, 'invalid-request', 'input: give the inputs as a JSON object by name');
  }
  if (id !== undefined && typeof id !== 'string') {
    throw new HttpError(
      400,
      'invalid-request',
      'id: give the run id as a string (a uuid), or leave it out',
    );
  }
  const inputs = (input ?? {}) as { [name: string]: JsonValue };
  // Refuses an unknown workflow, channel or version now rather than in a worker's log; the
  // routing itself happens when a worker starts the run, on the channel as it is then.
  if (parseRef(workflow).kind === 'file') {
    // Never a path: a request must not make the server read (and snapshot) a file of its disk.
    throw new HttpError(
      400,
      'bad-ref',
      `workflow: '${workflow}' is a file path: name a channel or a published version (name@production, name@3)`,
    );
  }
  await resolveRunnable(context.workspace, context.store, workflow, inputs);
  const { job, created } = await context.queue.enqueue({
    ref: workflow,
    input: inputs,
    ...(id === undefined ? {} : { id }),
  });
  response.setHeader('location', `/v1/runs/${job.id}`);
  if (waitMs !== undefined) {
    const view = await waitForJob(context, job.id, waitMs, response);
    const ended = view?.state === 'done' || view?.state === 'failed';
    sendJson(response, ended ? 200 : 202, { ...view, created });
    return;
  }
  sendJson(response, created ? 202 : 200, {
    id: job.id,
    state: job.state,
    workflow: job.workflow,
    ref: job.ref,
    created,
  });
}

/** `GET /v1/runs/:id`: the job and its run (404 when neither exists). */
export async function getRun(
  context: RouteContext,
  id: string,
  response: ServerResponse,
): Promise<void> {
  const view = await viewRun(context.queue, context.store, id);
  if (!view) throw new HttpError(404, 'unknown-run', `no run or queued job ${id}`);
  sendJson(response, 200, view);
}

/** `GET /v1/runs?workflow=&channel=&status=&limit=`: run summaries, newest first. */
export async function listRuns(
  context: RouteContext,
  query: URLSearchParams,
  response: ServerResponse,
): Promise<void> {
  const status = query.get('status') ?? undefined;
  if (status !== undefined && !(RUN_STATUSES as readonly string[]).includes(status)) {
    throw new HttpError(
      400,
      'invalid-request',
      `status=${status}: one of ${RUN_STATUSES.join(', ')}`,
    );
  }
  const limit = limitOf(query);
  const workflow = query.get('workflow') ?? undefined;
  const channel = query.get('channel') ?? undefined;
  const runs = await context.store.listRuns({
    ...(workflow === undefined ? {} : { workflow }),
    ...(channel === undefined ? {} : { channel }),
    ...(status === undefined ? {} : { status: status as RunStatus }),
    ...(limit === undefined ? {} : { limit }),
  });
  sendJson(response, 200, { runs });
}

/**
 * `?limit=` as a number, undefined when absent.
 * @throws HttpError 400 for anything but a whole number from 1 to 1000.
 */
export function limitOf(query: URLSearchParams): number | undefined {
  const text = query.get('limit') ?? undefined;
  const limit = text === undefined ? undefined : Number(text);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000)) {
    throw new HttpError(400, 'invalid-request', `limit=${text}: a whole number from 1 to 1000`);
  }
  return limit;
}

/** How long `?wait=` asks to wait (ms), or undefined for no waiting. */
function waitOf(text: string | null): number | undefined {
  if (text === null || text === 'false') return undefined;
  if (text === 'true' || text === '') return 60_000;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 300) {
    throw new HttpError(
      400,
      'invalid-request',
      `wait=${text}: true, or a number of seconds up to 300`,
    );
  }
  return seconds * 1000;
}

/** The job's view once it is done or failed, or as it is when `ms` ran out or the client left. */
async function waitForJob(
  context: RouteContext,
  id: string,
  ms: number,
  response: ServerResponse,
): Promise<RunView | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const view = await viewRun(context.queue, context.store, id);
    const ended = view?.state === 'done' || view?.state === 'failed';
    if (ended || Date.now() >= deadline || response.destroyed) return view;
    await delay(100);
  }
}
