/**
 * A real HTTP server on 127.0.0.1 (port 0) for provider tests: it records every request it
 * receives and answers with replies the test chooses, either by route (`METHOD /path`) or from a
 * queue. Closed (with every connection, hung ones included) when the test ends.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

/** A request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  /** The path with its query string. */
  readonly path: string;
  /** Header names in lower case (as Node gives them). */
  readonly headers: IncomingHttpHeaders;
  /** The body as text ('' when there is none). */
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly body: unknown;
}

/** Writes one answer. May be async (for slow or split answers); errors are the test's bug. */
export type Reply = (res: ServerResponse, request: RecordedRequest) => void | Promise<void>;

export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Answers `METHOD /path` (query string ignored) with `reply`, every time. */
  route(method: string, path: string, reply: Reply): void;
  /** Queues replies for requests no route matches, used once each, in order. */
  script(...replies: Reply[]): void;
  /** Stops the server now (also done after the test). */
  close(): Promise<void>;
}

export interface FakeServerOptions {
  /** Answers a request when no route matches and the queue is empty (default: 500, saying so). */
  readonly fallback?: Reply;
}

/** Starts a recording server on 127.0.0.1:0; it is closed when `t` ends. */
export async function startFakeServer(
  t: TestContext,
  options: FakeServerOptions = {},
): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const routes = new Map<string, Reply>();
  const queue: Reply[] = [];
  const fallback: Reply =
    options.fallback ??
    ((res, request) =>
      json(500, { error: `no reply scripted for ${request.method} ${request.path}` })(
        res,
        request,
      ));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      const request: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        text,
        body,
      };
      requests.push(request);
      const reply =
        routes.get(`${request.method} ${request.path.split('?')[0]}`) ?? queue.shift() ?? fallback;
      // Each write goes out as its own TCP segment: split chunks stay split.
      res.socket?.setNoDelay(true);
      Promise.resolve()
        .then(() => reply(res, request))
        .catch((error: unknown) => {
          res.destroy(error instanceof Error ? error : new Error(String(error)));
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  t.after(close);
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    route: (method, path, reply) => routes.set(`${method.toUpperCase()} ${path}`, reply),
    script: (...replies) => queue.push(...replies),
    close,
  };
}

/** A port on 127.0.0.1 with nothing listening on it (a server opened, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A JSON answer (with content-length). */
export function json(
  status: number,
  value: unknown,
  headers: Record<string, string | string[]> = {},
): Reply {
  return text(status, JSON.stringify(value), { 'content-type': 'application/json', ...headers });
}

/** A text answer of any content type (with content-length). */
export function text(
  status: number,
  body: string | Buffer,
  headers: Record<string, string | string[]> = { 'content-type': 'text/plain; charset=utf-8' },
): Reply {
  return (res) => {
    res.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };
}

/** A redirect to `location`. */
export function redirect(status: number, location: string): Reply {
  return (res) => {
    res.writeHead(status, { location, 'content-length': 0 });
    res.end();
  };
}

/** Sends the status and headers at once, then no body until the connection is closed. */
export function stall(
  status = 200,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Reply {
  return (res) => {
    res.writeHead(status, headers);
    res.flushHeaders();
  };
}

/** Never answers, not even with a status line. */
export function hang(): Reply {
  return () => undefined;
}

/**
 * Writes the first `upTo` characters of `body` (chunked, or with the full content-length when
 * `declareLength`), then destroys the socket: a body cut off mid-way.
 */
export function cutOff(
  body: string,
  upTo: number,
  options: { contentType?: string; declareLength?: boolean } = {},
): Reply {
  return async (res) => {
    res.writeHead(200, {
      'content-type': options.contentType ?? 'application/json',
      ...(options.declareLength ? { 'content-length': Buffer.byteLength(body) } : {}),
    });
    await write(res, body.slice(0, upTo));
    res.socket?.destroy();
  };
}

/** Writes `chunk` and waits until it was handed to the socket. */
export function write(res: ServerResponse, chunk: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    res.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

/** Lets the event loop turn so that consecutive writes leave as separate TCP segments. */
export function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 2));
}
