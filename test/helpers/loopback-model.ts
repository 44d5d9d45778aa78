/**
 * A chat-completions server on 127.0.0.1 speaking OpenAI's wire protocol, answering every request
 * at once with the same text: the model of end-to-end scenarios and of benchmarks that time
 * Lockstep, not a model. (`fake-openai-server.ts` scripts replies per test instead.)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat-completions server on 127.0.0.1 speaking OpenAI's wire protocol. */
export interface LoopbackModel {
  /** What a workflow's `base_url` names: `http://127.0.0.1:<port>/v1`. */
  readonly baseUrl: string;
  /** The `authorization` header of every request, in order (`''` when there was none). */
  readonly authorizations: string[];
  close(): Promise<void>;
}

/**
 * Answers `POST /v1/chat/completions` with `answer` (padded with spaces, as models do) and a usage
 * of 12 prompt and 5 completion tokens; anything else gets OpenAI's 404.
 */
export async function loopbackModel(answer: string): Promise<LoopbackModel> {
  const authorizations: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: `Unknown request URL: ${request.url}` } }));
        return;
      }
      authorizations.push(request.headers.authorization ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model?: string };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: 'chatcmpl-loopback',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model ?? 'unknown',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: `  ${answer}\n` },
              finish_reason: 'stop',
            },
          ],
          usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    authorizations,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
