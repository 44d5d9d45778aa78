/**
 * The queue's own endpoints of `lockstep serve`, for `admin` tokens: how many jobs are in each
 * state with the newest failures and why, and queueing a failed job again once its cause is fixed.
 */
import type { ServerResponse } from 'node:http';
import { HttpError, sendJson } from './http-io.js';
import { limitOf, type RouteContext } from './run-routes.js';

/** Failed jobs listed unless `?limit=` says otherwise. */
const FAILED_LISTED = 50;

/** `GET /v1/queue?limit=`: `{ depth, failed }`, the failed jobs most recent first. */
export async function queueState(
  context: RouteContext,
  query: URLSearchParams,
  response: ServerResponse,
): Promise<void> {
  const limit = limitOf(query) ?? FAILED_LISTED;
  const [depth, failed] = await Promise.all([
    context.queue.depth(),
    context.queue.failedJobs(limit),
  ]);
  sendJson(response, 200, { depth, failed });
}

/**
 * `POST /v1/queue/<id>/retry`: a failed job queued again with all its attempts; 200 with the
 * job, 404 for an unknown one, 409 for one that has not failed.
 */
export async function retryJob(
  context: RouteContext,
  id: string,
  response: ServerResponse,
): Promise<void> {
  const job = await context.queue.retryFailed(id);
  if (!job) throw new HttpError(404, 'unknown-run', `no queued job ${id}`);
  sendJson(response, 200, { job });
}
