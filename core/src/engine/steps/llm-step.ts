/**
 * `llm`: calls a model through its provider (OpenAI-compatible chat completions, Anthropic's
 * Messages API). The request is recorded in one provider-neutral shape (`ModelRequest`); each
 * provider maps it onto its wire protocol. With `output: json` the answer is parsed (and checked
 * against `schema`); an answer that is not valid is a step error that records the model's text.
 */
import { compileUserSchema } from '../../format/ajv.js';
import { isModelProvider, PROVIDER_ENDPOINTS } from '../../model/providers.js';
import type { ChatMessage, JsonObject, JsonValue } from '../../model/workflow.js';
import { EngineError } from '../engine-error.js';
import { evaluateValue } from '../evaluate.js';
import { parseDuration } from '../duration.js';
import { placement, type StepContext, type StepResult } from './run-step-body.js';

/**
 * The canonical model request: allow-listed fields only (never the endpoint or the key), the same
 * shape for every provider so that a request reads (and diffs) alike whichever provider answered.
 * A system prompt is the first message (`role: system`); `stop` is the workflow's value as given.
 */
export interface ModelRequest {
  readonly provider: string;
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly response_format?: { readonly type: 'json_object' };
  readonly temperature?: number;
  readonly top_p?: number;
  readonly max_tokens?: number;
  readonly seed?: number;
  readonly stop?: string | readonly string[];
}

/** What the provider needs besides the request. */
export interface ModelTransport {
  readonly baseUrl?: string;
  readonly apiKey?: string;
  /** The secret the key comes from, to name it when the endpoint refuses the key. */
  readonly apiKeySecret?: string;
  readonly timeoutMs?: number;
  /** Ask for a streamed (SSE) answer. */
  readonly stream?: boolean;
}

/** The live payload of an `llm` effect. */
export interface ModelCall {
  readonly request: ModelRequest;
  readonly transport: ModelTransport;
}

/** A recorded model answer, whichever provider gave it. */
export interface ModelResponse {
  /** The answer's text (an Anthropic answer's text blocks, joined). */
  readonly content: string;
  /** Why the model stopped, in the provider's words (`stop`, `length`; `end_turn`, `max_tokens`). */
  readonly finishReason: string | null;
}

const SAMPLING = ['temperature', 'top_p', 'max_tokens', 'seed', 'stop'] as const;

export async function runLlmStep(context: StepContext): Promise<StepResult> {
  const { step, scope, functions, host, signal, path } = context;
  const llm = step.llm!;
  const where = `steps.${step.id}.llm`;
  const model = context.models[llm.model];
  if (!model)
    throw new EngineError('unknown-model', `${where}.model: no model named '${llm.model}'`);

  const messages = await renderMessages(context, where);
  const baseUrl = await evaluateValue(
    model.base_url ?? null,
    scope,
    functions,
    `models.${llm.model}.base_url`,
  );
  // The key is the one place a model's settings may hold a secret.
  const placed = placement(context);
  const apiKey = await evaluateValue(
    model.api_key ?? null,
    scope,
    functions,
    `models.${llm.model}.api_key`,
    placed,
  );

  const request: { -readonly [K in keyof ModelRequest]: ModelRequest[K] } = {
    provider: model.provider,
    model: model.model,
    messages,
  };
  if (llm.output === 'json') request.response_format = { type: 'json_object' };
  for (const name of SAMPLING) {
    const value = llm[name] ?? model[name];
    if (value !== undefined) (request as Record<string, unknown>)[name] = value;
  }
  const canonical = host.redact(request as unknown as JsonValue);
  const apiKeySecret = /secrets\.([A-Za-z_][A-Za-z0-9_]*)/.exec(model.api_key ?? '')?.[1];
  const transport: ModelTransport = {
    ...(typeof baseUrl === 'string' ? { baseUrl } : {}),
    ...(typeof apiKey === 'string' && apiKey !== '' ? { apiKey } : {}),
    ...(apiKeySecret ? { apiKeySecret } : {}),
    ...(model.timeout ? { timeoutMs: parseDuration(model.timeout) } : {}),
    ...(model.stream === true ? { stream: true } : {}),
  };
  const live: ModelCall = { request, transport };
  const { response } = await host.effect(
    {
      path,
      kind: 'llm',
      request: canonical,
      live: live as unknown as JsonValue,
      secrets: [...placed.placed],
      destination: typeof baseUrl === 'string' ? baseUrl : providerEndpoint(model.provider),
    },
    signal,
  );
  const answer = response as unknown as ModelResponse;
  if (typeof answer.content !== 'string') {
    throw new EngineError('model-response', `${where}: the model's answer has no text`);
  }
  const output =
    llm.output === 'json' ? parseJsonAnswer(answer.content, llm.schema, where) : answer.content;
  return { output, input: canonical };
}

async function renderMessages(context: StepContext, where: string): Promise<ChatMessage[]> {
  const { step, scope, functions } = context;
  const llm = step.llm!;
  const raw: ChatMessage[] = llm.messages ?? [
    ...(llm.system === undefined ? [] : [{ role: 'system' as const, content: llm.system }]),
    { role: 'user' as const, content: llm.prompt ?? '' },
  ];
  const rendered: ChatMessage[] = [];
  for (const [i, message] of raw.entries()) {
    const content = await evaluateValue(
      message.content,
      scope,
      functions,
      `${where}.messages[${i}].content`,
    );
    rendered.push({
      role: message.role,
      content: typeof content === 'string' ? content : JSON.stringify(content),
    });
  }
  return rendered;
}

/** Models often wrap JSON in a Markdown code fence: one such fence is removed. */
const FENCE = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/;

function parseJsonAnswer(
  content: string,
  schema: JsonObject | undefined,
  where: string,
): JsonValue {
  const text = FENCE.exec(content)?.[1] ?? content;
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new EngineError(
      'invalid-json',
      `${where}: the model was asked for JSON but answered text that is not JSON (${(error as Error).message})`,
      { text: content },
    );
  }
  if (schema !== undefined) {
    const validate = compileUserSchema(schema);
    if (!validate(value)) {
      const problems = (validate.errors ?? [])
        .slice(0, 5)
        .map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim())
        .join('; ');
      throw new EngineError(
        'schema',
        `${where}: the model's JSON does not match the step's schema: ${problems}`,
        {
          answer: value,
        },
      );
    }
  }
  return value;
}

/** Where a provider's requests go when a model sets no `base_url`. */
function providerEndpoint(provider: string): string {
  return isModelProvider(provider) ? PROVIDER_ENDPOINTS[provider] : `${provider}:`;
}
