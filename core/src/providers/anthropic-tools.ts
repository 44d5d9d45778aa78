/**
 * Tool use in Anthropic's Messages API dialect, pure: the recorded (neutral) tools, tool choice,
 * tool calls and tool results as the API takes them (`tools: [{ name, description, input_schema }]`,
 * `tool_choice: { type }`, `tool_use` blocks in an assistant message, `tool_result` blocks in the
 * user message after it), and the calls an answer's `tool_use` blocks make.
 */
import {
  normalizedArguments,
  type ModelMessage,
  type ToolCall,
  type ToolChoice,
  type ToolSpec,
} from '../engine/steps/model-request.js';
import type { JsonObject } from '../model/workflow.js';

/** A content block the API takes in a request. */
export type RequestBlock =
  | { readonly type: 'text'; readonly text: string }
  | {
      readonly type: 'tool_use';
      readonly id: string;
      readonly name: string;
      readonly input: JsonObject;
    }
  | {
      readonly type: 'tool_result';
      readonly tool_use_id: string;
      readonly content: string;
      readonly is_error?: true;
    };

/** A message of the conversation, as the API takes it. */
export interface WireMessage {
  readonly role: 'user' | 'assistant';
  /** A string is the API's short form of one text block. */
  readonly content: string | readonly RequestBlock[];
}

/** The API's tool definitions. */
export function anthropicTools(
  tools: readonly ToolSpec[],
): { name: string; description: string; input_schema: JsonObject }[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: tool.parameters,
  }));
}

/** The API's `tool_choice`. */
export function anthropicToolChoice(
  choice: ToolChoice,
): { type: 'auto' | 'none' } | { type: 'tool'; name: string } {
  return typeof choice === 'object' ? { type: 'tool', name: choice.name } : { type: choice };
}

/**
 * The conversation (no system message) as the API's messages: an assistant message that called
 * tools becomes text and `tool_use` blocks; the tool results after it become one user message of
 * `tool_result` blocks, as the API requires (every result of a turn in the next user message).
 */
export function anthropicMessages(conversation: readonly ModelMessage[]): WireMessage[] {
  const out: WireMessage[] = [];
  for (const message of conversation) {
    if (message.role === 'tool') {
      const block: RequestBlock = {
        type: 'tool_result',
        tool_use_id: message.tool_call_id,
        content: message.content,
        ...(message.is_error ? { is_error: true as const } : {}),
      };
      const last = out[out.length - 1];
      if (last?.role === 'user' && Array.isArray(last.content) && isResults(last.content)) {
        out[out.length - 1] = { role: 'user', content: [...last.content, block] };
      } else {
        out.push({ role: 'user', content: [block] });
      }
      continue;
    }
    if (message.role === 'assistant' && message.tool_calls && message.tool_calls.length > 0) {
      const blocks: RequestBlock[] =
        message.content === '' ? [] : [{ type: 'text', text: message.content }];
      for (const call of message.tool_calls) {
        blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: inputOf(call) });
      }
      out.push({ role: 'assistant', content: blocks });
      continue;
    }
    out.push({ role: message.role as 'user' | 'assistant', content: message.content });
  }
  return out;
}

function isResults(blocks: readonly RequestBlock[]): boolean {
  return blocks.every((block) => block.type === 'tool_result');
}

/** A call's arguments as the `input` object the API wants back (`{}` when they were not one). */
function inputOf(call: ToolCall): JsonObject {
  try {
    const value = JSON.parse(call.arguments) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return value as JsonObject;
    }
  } catch {
    // Anthropic sends objects: only a hand-made recording could hold other text.
  }
  return {};
}

/**
 * The tool call a `tool_use` block of an answer makes, or undefined when the block lacks an id
 * or a name. A streamed block carries its input as the JSON text its deltas joined (`json`).
 */
export function toolCallOf(block: { readonly [field: string]: unknown }): ToolCall | undefined {
  const { id, name, input, json } = block;
  if (typeof id !== 'string' || typeof name !== 'string') return undefined;
  const text = typeof json === 'string' ? json : JSON.stringify(input ?? {});
  return { id, name, arguments: normalizedArguments(text) };
}
