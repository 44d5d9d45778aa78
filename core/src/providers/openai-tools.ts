/**
 * Tool use in the OpenAI chat-completions dialect, pure: the recorded (neutral) request's tools,
 * tool choice, assistant tool calls and tool results as the API takes them (`tools: [{ type:
 * 'function', function }]`, `tool_calls` on assistant messages, `role: 'tool'` messages naming
 * `tool_call_id`), and the calls an answer makes, whole (`message.tool_calls`) or streamed in
 * pieces (`delta.tool_calls`, joined by their `index`).
 */
import {
  normalizedArguments,
  type ModelMessage,
  type ModelRequest,
  type ToolCall,
  type ToolChoice,
} from '../engine/steps/model-request.js';

/** A tool call as the API writes it. */
interface WireToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

/** The request body's fields (without `stream`): the neutral request in the API's names. */
export function chatCompletionFields(request: ModelRequest): Record<string, unknown> {
  const { provider: _provider, messages, tools, tool_choice, ...rest } = request;
  return {
    ...rest,
    messages: messages.map(wireMessage),
    ...(tools === undefined
      ? {}
      : {
          tools: tools.map((tool) => ({
            type: 'function',
            function: {
              name: tool.name,
              description: tool.description,
              parameters: tool.parameters,
            },
          })),
        }),
    ...(tool_choice === undefined ? {} : { tool_choice: wireToolChoice(tool_choice) }),
  };
}

function wireToolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'object'
    ? { type: 'function', function: { name: choice.name } }
    : choice;
}

function wireMessage(message: ModelMessage): unknown {
  if (message.role === 'tool') {
    // The API has no error flag: the content says "Error: …" (see resultText).
    return { role: 'tool', tool_call_id: message.tool_call_id, content: message.content };
  }
  if (message.role === 'assistant' && message.tool_calls && message.tool_calls.length > 0) {
    const calls: WireToolCall[] = message.tool_calls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
    return {
      role: 'assistant',
      content: message.content === '' ? null : message.content,
      tool_calls: calls,
    };
  }
  return { role: message.role, content: message.content };
}

/**
 * The calls of a whole answer's `message.tool_calls`.
 * @returns undefined when there are none; `malformed` text when a call lacks its id or name.
 */
export function toolCallsOf(value: unknown): ToolCall[] | undefined | { malformed: string } {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const calls: ToolCall[] = [];
  for (const item of value as {
    id?: unknown;
    function?: { name?: unknown; arguments?: unknown };
  }[]) {
    const name = item?.function?.name;
    const args = item?.function?.arguments;
    if (typeof item?.id !== 'string' || typeof name !== 'string') {
      return { malformed: 'a tool call has no id or function name' };
    }
    calls.push({
      id: item.id,
      name,
      arguments: normalizedArguments(typeof args === 'string' ? args : ''),
    });
  }
  return calls;
}

/**
 * Joins streamed tool-call deltas: the first delta of a call (by `index`) brings its id and name,
 * later ones pieces of its arguments.
 */
export class ToolCallDeltas {
  private readonly calls: { id?: string; name?: string; arguments: string }[] = [];

  /** Adds one chunk's `delta.tool_calls`. */
  add(deltas: unknown): void {
    if (!Array.isArray(deltas)) return;
    for (const delta of deltas as {
      index?: unknown;
      id?: unknown;
      function?: { name?: unknown; arguments?: unknown };
    }[]) {
      const index = typeof delta?.index === 'number' ? delta.index : this.calls.length;
      // A bound, so a hostile index cannot make a huge sparse list.
      if (!Number.isInteger(index) || index < 0 || index > 1000) continue;
      const call = (this.calls[index] ??= { arguments: '' });
      if (typeof delta.id === 'string') call.id = delta.id;
      if (typeof delta.function?.name === 'string')
        call.name = (call.name ?? '') + delta.function.name;
      if (typeof delta.function?.arguments === 'string') call.arguments += delta.function.arguments;
    }
  }

  /** The joined calls; `malformed` text when one never got an id or a name. */
  result(): ToolCall[] | undefined | { malformed: string } {
    const calls = this.calls.filter((call) => call !== undefined);
    if (calls.length === 0) return undefined;
    const out: ToolCall[] = [];
    for (const call of calls) {
      if (call.id === undefined || call.name === undefined) {
        return { malformed: 'a streamed tool call has no id or function name' };
      }
      out.push({ id: call.id, name: call.name, arguments: normalizedArguments(call.arguments) });
    }
    return out;
  }
}
