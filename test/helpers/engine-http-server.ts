/**
 * A small HTTP server on 127.0.0.1 for runner tests: an OpenAI-compatible chat-completions stub,
 * endpoints that echo what they were sent (so a test can check that whatever the server sends
 * back is not recorded in clear), and an endpoint that never answers (a hung dependency). It is
 * closed, with every open connection, when the test ends.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

/** One request the server received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  /** Requests that are being held open (the `/hang` endpoint), by URL. */
  readonly hanging: string[];
}

/**
 * Starts the server. Routes:
 * - `POST …/chat/completions`: `{ choices: [{ message: { content } }] }`, where content is
 *   `ok` followed by the Authorization header it got (an endpoint that reflects credentials);
 *   under `/refuse/` it answers 401 instead, echoing the header in the error.
 * - `… /echo…`: JSON of the method, URL, headers and body it got; `?status=N` sets the status.
 * - `… /flaky…?fail=N`: as `/echo`, but answers 500 to the first N requests of its path.
 * - `… /hang…`: never answers while the test runs.
 */
export async function startTestServer(t: TestContext): Promise<TestServer> {
  const requests: ReceivedRequest[] = [];
  const hanging: string[] = [];
  const flakyCounts = new Map<string, number>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = request.url ?? '/';
      const received = {
        method: request.method ?? 'GET',
        url,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      const status = Number(new URL(url, 'http://x').searchParams.get('status') ?? '200');
      const json = (code: number, value: unknown): void => {
        response.writeHead(code, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      if (url.includes('/hang')) {
        hanging.push(url);
        return; // never answered; closed with the server
      }
      if (url.includes('/chat/completions')) {
        const authorization = request.headers.authorization ?? '(none)';
        if (url.includes('/refuse/')) {
          json(401, { error: { message: `bad key: ${authorization}` } });
          return;
        }
        json(200, {
          choices: [
            {
              message: { role: 'assistant', content: `ok ${authorization}` },
              finish_reason: 'stop',
            },
          ],
          usage: { prompt_tokens: 5, completion_tokens: 2 },
        });
        return;
      }
      if (url.includes('/echo')) {
        json(status, received);
        return;
      }
      if (url.includes('/flaky')) {
        const where = new URL(url, 'http://x');
        const seen = flakyCounts.get(where.pathname) ?? 0;
        flakyCounts.set(where.pathname, seen + 1);
        const failures = Number(where.searchParams.get('fail') ?? '1');
        json(seen < failures ? 500 : 200, received);
        return;
      }
      json(404, { error: `no route for ${url}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, requests, hanging };
}
