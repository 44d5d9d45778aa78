/**
 * `llm`: calls a model through its provider (OpenAI-compatible chat completions, Anthropic's
 * Messages API). The request is recorded in one provider-neutral shape (`ModelRequest`); each
 * provider maps it onto its wire protocol. With `tools`, the step runs a tool loop (tool-loop.ts)
 * whose every turn is a model call of its own. With `output: json` the (final) answer is parsed
 * (and checked against `schema`); an answer that is not valid is a step error that records the
 * model's text.
 */
import { compileUserSchema } from '../../format/ajv.js';
import { isModelProvider, PROVIDER_ENDPOINTS } from '../../model/providers.js';
import type { ChatMessage, JsonObject, JsonValue } from '../../model/workflow.js';
import { EngineError } from '../engine-error.js';
import { evaluateValue } from '../evaluate.js';
import { parseDuration } from '../duration.js';
import type {
  ModelCall,
  ModelRequest,
  ModelResponse,
  ModelTransport,
  ToolChoice,
} from './model-request.js';
import { embeddedSchema, embeddedText } from './embedded-files.js';
import { placement, type StepContext, type StepResult } from './run-step-body.js';
import { runToolLoop } from './tool-loop.js';

export type { ModelCall, ModelRequest, ModelResponse, ModelTransport } from './model-request.js';

const SAMPLING = ['temperature', 'top_p', 'max_tokens', 'seed', 'stop'] as const;

export async function runLlmStep(context: StepContext): Promise<StepResult> {
  const { step, scope, functions, host, signal, path } = context;
  const llm = step.llm!;
  const where = `steps.${step.id}.llm`;
  const model = context.models[llm.model];
  if (!model)
    throw new EngineError('unknown-model', `${where}.model: no model named '${llm.model}'`);

  const messages = await renderMessages(context, where);
  const schema =
    llm.schema === undefined ? undefined : embeddedSchema(llm.schema, `${where}.schema`);
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
  if (llm.tools !== undefined) {
    request.tools = llm.tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      parameters: embeddedSchema(tool.parameters, `${where}.tools.${tool.name}.parameters`),
    }));
    request.tool_choice = toolChoice(llm.tool_choice);
  }
  if (llm.output === 'json') request.response_format = { type: 'json_object' };
  for (const name of SAMPLING) {
    const value = llm[name] ?? model[name];
    if (value !== undefined) (request as Record<string, unknown>)[name] = value;
  }
  const apiKeySecret = /secrets\.([A-Za-z_][A-Za-z0-9_]*)/.exec(model.api_key ?? '')?.[1];
  const transport: ModelTransport = {
    ...(typeof baseUrl === 'string' ? { baseUrl } : {}),
    ...(typeof apiKey === 'string' && apiKey !== '' ? { apiKey } : {}),
    ...(apiKeySecret ? { apiKeySecret } : {}),
    ...(model.timeout ? { timeoutMs: parseDuration(model.timeout) } : {}),
    ...(model.stream === true ? { stream: true } : {}),
  };
  const destination = typeof baseUrl === 'string' ? baseUrl : providerEndpoint(model.provider);
  const call = async (turn: ModelRequest, at: string): Promise<ModelResponse> => {
    const live: ModelCall = { request: turn, transport };
    const { response } = await host.effect(
      {
        path: at,
        kind: 'llm',
        request: host.redact(turn as unknown as JsonValue),
        live: live as unknown as JsonValue,
        secrets: [...placed.placed],
        destination,
      },
      signal,
    );
    const answer = response as unknown as ModelResponse;
    if (typeof answer.content !== 'string') {
      throw new EngineError('model-response', `${where}: the model's answer has no text`);
    }
    return answer;
  };
  const canonical = host.redact(request as unknown as JsonValue);
  if (llm.tools === undefined) {
    const answer = await call(request, path);
    return { output: finalOutput(answer.content, llm.output, schema, where), input: canonical };
  }
  const { answer, conversation } = await runToolLoop({ context, request, call, where });
  const output = finalOutput(answer.content, llm.output, schema, where);
  return { output, input: { ...(canonical as JsonObject), conversation } };
}

/** The answer as the step's output: the text, or (`output: json`) the JSON it holds. */
function finalOutput(
  content: string,
  output: 'text' | 'json' | undefined,
  schema: JsonObject | undefined,
  where: string,
): JsonValue {
  return output === 'json' ? parseJsonAnswer(content, schema, where) : content;
}

/** `tool_choice` as recorded: `auto` unless the step says `none` or names a tool. */
function toolChoice(choice: string | undefined): ToolChoice {
  if (choice === undefined || choice === 'auto') return 'auto';
  return choice === 'none' ? 'none' : { name: choice };
}

async function renderMessages(context: StepContext, where: string): Promise<ChatMessage[]> {
  const { step, scope, functions } = context;
  const llm = step.llm!;
  const raw: ChatMessage[] = llm.messages ?? [
    ...(llm.system === undefined
      ? []
      : [{ role: 'system' as const, content: embeddedText(llm.system, `${where}.system`) }]),
    {
      role: 'user' as const,
      content: llm.prompt === undefined ? '' : embeddedText(llm.prompt, `${where}.prompt`),
    },
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
