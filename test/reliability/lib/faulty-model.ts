/**
 * A chat-completions server on 127.0.0.1 that misbehaves at random (seeded): it answers well, or
 * stalls after the headers, never answers, drops the connection, cuts a stream short, answers 429
 * with a Retry-After (short, or longer than a client should wait), 500, 503, or garbage. Every
 * request is recorded with the fault it got, so a suite can check the client's retries.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Prng } from './prng.js';

/** What the server did with one request. */
export type Fault =
  | 'ok'
  | 'stall'
  | 'hang'
  | 'drop'
  | 'truncate'
  | 'rate-limit'
  | 'rate-limit-long'
  | 'error-500'
  | 'error-503'
  | 'garbage';

export const FAULTS: readonly Fault[] = [
  'ok',
  'ok',
  'stall',
  'hang',
  'drop',
  'truncate',
  'rate-limit',
  'rate-limit-long',
  'error-500',
  'error-503',
  'garbage',
];

/** Seconds a `rate-limit` answer asks to wait, and a `rate-limit-long` one (past the 60 s cap). */
export const RETRY_AFTER_S = 1;
export const RETRY_AFTER_LONG_S = 3600;

/** One request as the server saw it. */
export interface FaultyRequest {
  /** The last message's text: the suite makes it unique per run. */
  readonly prompt: string;
  readonly stream: boolean;
  readonly fault: Fault;
  /** When it arrived (ms, performance.now()). */
  readonly at: number;
}

export interface FaultyModel {
  readonly baseUrl: string;
  readonly requests: FaultyRequest[];
  close(): Promise<void>;
}

const chunk = (content: string): string =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

function answer(res: ServerResponse, stream: boolean, model: string): void {
  if (stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk('fine'));
    res.write(
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
    );
    res.end('data: [DONE]\n\n');
    return;
  }
  const body = JSON.stringify({
    id: 'chatcmpl-faulty',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'fine' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
  });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

/** Starts the server; `random` picks each request's fault. */
export async function startFaultyModel(random: Prng): Promise<FaultyModel> {
  const requests: FaultyRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        model: string;
        stream?: boolean;
        messages: { content: string }[];
      };
      const stream = body.stream === true;
      const fault = random.pick(FAULTS);
      requests.push({
        prompt: body.messages.at(-1)?.content ?? '',
        stream,
        fault,
        at: performance.now(),
      });
      const error = (status: number, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify({ error: { message: `fault ${fault}`, type: 'server_error' } }));
      };
      switch (fault) {
        case 'ok':
          return answer(res, stream, body.model);
        case 'stall':
          res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
          res.flushHeaders();
          return;
        case 'hang':
          return;
        case 'drop':
          res.socket?.destroy();
          return;
        case 'truncate':
          res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
          res.write(
            stream ? chunk('fi') + 'data: {"choices":[{"ind' : '{"id":"chatcmpl-faulty","cho',
          );
          setTimeout(() => res.socket?.destroy(), 20);
          return;
        case 'rate-limit':
          return error(429, { 'retry-after': String(RETRY_AFTER_S) });
        case 'rate-limit-long':
          return error(429, { 'retry-after': String(RETRY_AFTER_LONG_S) });
        case 'error-500':
          return error(500);
        case 'error-503':
          return error(503);
        case 'garbage':
          res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
          res.end(stream ? 'data: {{{ not json\n\n' : '<html>definitely not json</html>');
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
