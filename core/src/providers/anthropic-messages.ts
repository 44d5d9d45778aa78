/**
 * An Anthropic Messages API client (`POST <base>/v1/messages` with `x-api-key` and
 * `anthropic-version`), JSON and streamed (SSE) answers. The same transport rules as the
 * OpenAI-compatible provider: connection failures, 429 (with Retry-After), 502–504 and
 * Anthropic's 529 (overloaded) are retried a few times; everything else becomes an EngineError
 * that says what happened, with Anthropic's own error message.
 */
import { EngineError } from '../engine/engine-error.js';
import { PROVIDER_ENDPOINTS } from '../model/providers.js';
import { messageFromStream } from './anthropic-stream.js';
import { ANTHROPIC_VERSION, answerOf, MESSAGES_PATH, messagesBody } from './anthropic-wire.js';
import {
  describeBody,
  errorMessageOf,
  postToModel,
  readBody,
  type ModelClient,
} from './model-endpoint.js';

/** Anthropic's "overloaded" status: transient, retried like 503. */
const OVERLOADED = 529;

/**
 * Sends one Messages API request (streamed when the model asks for it) and returns the answer.
 * Throws what any ModelClient throws, and `invalid-definition` for a request the API cannot take
 * (see messagesBody).
 */
export const callAnthropicMessages: ModelClient = async (call, where, signal, policy = {}) => {
  const { request, transport } = call;
  const base = (transport.baseUrl ?? PROVIDER_ENDPOINTS.anthropic).replace(/\/+$/, '');
  const stream = transport.stream === true;
  const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION };
  if (transport.apiKey) headers['x-api-key'] = transport.apiKey;
  const post = {
    base,
    url: `${base}${MESSAGES_PATH}`,
    headers,
    body: messagesBody(request, stream, where),
    retriedStatuses: [OVERLOADED],
    baseUrlNote: " (the API's root, without /v1)",
  };
  const malformed = (detail: string): EngineError =>
    new EngineError(
      'malformed-response',
      `${where}: ${base} answered something that is not a Messages API answer: ${detail}`,
    );
  const empty = (): EngineError =>
    new EngineError(
      'empty-response',
      `${where}: ${base} ${stream ? 'streamed' : 'answered with'} no text`,
    );
  return postToModel(call, post, where, signal, policy, async (response) => {
    const text = await readBody(response, malformed);
    const message = stream
      ? messageFromStream(text, where, base, malformed)
      : parseMessage(text, where, base, malformed);
    return answerOf(message, malformed, empty);
  });
};

/** A whole (non-streamed) message; an error object sent with status 200 is reported as one. */
function parseMessage(
  text: string,
  where: string,
  base: string,
  malformed: (detail: string) => EngineError,
): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw malformed(`the body is not JSON (${describeBody(text)})`);
  }
  if ((parsed as { type?: unknown } | null)?.type === 'error') {
    throw new EngineError(
      'server-error',
      `${where}: ${base} answered an error: ${errorMessageOf(text)}`,
    );
  }
  return parsed;
}
