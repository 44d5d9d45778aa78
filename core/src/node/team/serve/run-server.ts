/**
 * The HTTP API of `lockstep serve` (node:http): routes, bearer-token checks by scope, and errors
 * mapped to statuses with JSON bodies. Everything but `/v1/health` needs a token: `read` for GET,
 * `run` to start runs, `admin` for the queue's own endpoints (and anything else).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { LockstepError, StoreError } from '../../../model/errors.js';
import type { Store } from '../../../store/store.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { RunQueue } from '../queue/run-queue.js';
import { HttpError, sendError, sendJson } from './http-io.js';
import { streamRunEvents } from './run-events.js';
import { queueState, retryJob } from './queue-routes.js';
import { getRun, listRuns, postRun, type RouteContext } from './run-routes.js';
import { viewRun } from './run-view.js';
import { scopeAllows, type TokenFile, type TokenScope } from './tokens.js';

export interface RunServerOptions {
  readonly workspace: Workspace;
  readonly store: Store;
  readonly queue: RunQueue;
  readonly tokens: TokenFile;
  /** Lines for the server's log (internal errors). */
  readonly log: (line: string) => void;
  /** Time between looks at the store while streaming events (ms). */
  readonly eventPollMs?: number;
}

/** A server answering the API; `close` also ends open event streams. */
export interface RunServer {
  readonly server: Server;
  close(): Promise<void>;
}

const RUN_PATH = /^\/v1\/runs\/([^/]+)$/;
const EVENTS_PATH = /^\/v1\/runs\/([^/]+)\/events$/;
const RETRY_PATH = /^\/v1\/queue\/([^/]+)\/retry$/;

/** Creates (does not start) the server. */
export function createRunServer(options: RunServerOptions): RunServer {
  const closing = new AbortController();
  const context: RouteContext = options;
  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => answerError(response, error));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    if (url.pathname === '/v1/health') {
      allow(method, ['GET']);
      return health(response);
    }
    if (url.pathname === '/v1/runs') {
      allow(method, ['GET', 'POST']);
      await authorize(request, method === 'POST' ? 'run' : 'read');
      return method === 'POST'
        ? postRun(context, request, response, url.searchParams)
        : listRuns(context, url.searchParams, response);
    }
    const events = EVENTS_PATH.exec(url.pathname);
    if (events) {
      allow(method, ['GET']);
      await authorize(request, 'read');
      const id = decodeURIComponent(events[1]!);
      if (!(await viewRun(options.queue, options.store, id))) {
        throw new HttpError(404, 'unknown-run', `no run or queued job ${id}`);
      }
      const gone = new AbortController();
      response.on('close', () => gone.abort());
      return streamRunEvents(options.queue, options.store, id, response, {
        signal: AbortSignal.any([gone.signal, closing.signal]),
        ...(options.eventPollMs === undefined ? {} : { pollMs: options.eventPollMs }),
      });
    }
    if (url.pathname === '/v1/queue') {
      allow(method, ['GET']);
      await authorize(request, 'admin');
      return queueState(context, url.searchParams, response);
    }
    const retry = RETRY_PATH.exec(url.pathname);
    if (retry) {
      allow(method, ['POST']);
      await authorize(request, 'admin');
      return retryJob(context, decodeURIComponent(retry[1]!), response);
    }
    const run = RUN_PATH.exec(url.pathname);
    if (run) {
      allow(method, ['GET']);
      await authorize(request, 'read');
      return getRun(context, decodeURIComponent(run[1]!), response);
    }
    throw new HttpError(
      404,
      'not-found',
      `no endpoint ${url.pathname}: the API has /v1/runs, /v1/runs/<id>, /v1/runs/<id>/events, /v1/queue, /v1/queue/<id>/retry and /v1/health`,
    );
  }

  async function authorize(request: IncomingMessage, needed: TokenScope): Promise<void> {
    const header = request.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (!token) {
      throw new HttpError(
        401,
        'unauthorized',
        'send a token: Authorization: Bearer <token> (lockstep serve token create makes one)',
      );
    }
    const scope = await options.tokens.scopeOf(token).catch((error: unknown) => {
      // The file went missing or was damaged while serving: the server's problem, not the caller's.
      options.log(`cannot check tokens: ${error instanceof Error ? error.message : String(error)}`);
      throw new HttpError(
        503,
        'tokens-unavailable',
        'the server cannot read its tokens file: see its log',
      );
    });
    if (!scope) throw new HttpError(401, 'unauthorized', 'the token is not known to this server');
    if (!scopeAllows(scope, needed)) {
      throw new HttpError(
        403,
        'forbidden',
        `this needs a token with scope ${needed} (or admin); this one has scope ${scope}`,
      );
    }
  }

  async function health(response: ServerResponse): Promise<void> {
    try {
      const queue = await options.queue.depth();
      sendJson(response, 200, { ok: true, database: 'reachable', queue });
    } catch (error) {
      sendJson(response, 503, {
        ok: false,
        database: 'unreachable',
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  function answerError(response: ServerResponse, error: unknown): void {
    if (response.headersSent) {
      response.end();
      return;
    }
    if (error instanceof HttpError) {
      const headers: Record<string, string> =
        error.status === 401 ? { 'www-authenticate': 'Bearer' } : {};
      return sendError(response, error.status, error.code, error.message, headers);
    }
    if (error instanceof LockstepError) {
      return sendError(response, statusOf(error), error.code, error.message);
    }
    options.log(
      `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    sendError(response, 500, 'internal', 'internal error: the server’s log has the details');
  }

  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeIdleConnections();
        // Connections kept alive by clients, or streams ending just now, do not hold it up long.
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      }),
  };
}

function allow(method: string, methods: readonly string[]): void {
  if (!methods.includes(method)) {
    throw new HttpError(
      405,
      'method-not-allowed',
      `${method} is not allowed here: use ${methods.join(' or ')}`,
    );
  }
}

/** The status of a deliberate error: the caller's mistake (4xx) or the database's (503). */
function statusOf(error: LockstepError): number {
  if (error instanceof StoreError) return 503;
  if (error.code.startsWith('unknown-')) return 404;
  if (error.code === 'conflict') return 409;
  return 400;
}
