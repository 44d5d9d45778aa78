/**
 * A streamed Messages API answer, put back together: `message_start`, then per content block
 * `content_block_start`, `content_block_delta`s and `content_block_stop`, then `message_delta`
 * (the stop reason, the final usage) and `message_stop`; `ping`s anywhere. The result has the
 * shape of a whole (non-streamed) message, so one function reads both (`answerOf`).
 */
import { EngineError } from '../engine/engine-error.js';
import type { ContentBlock, WireAnswer } from './anthropic-wire.js';
import { describeBody, errorMessageOf, streamEvents } from './model-endpoint.js';

interface StreamEvent {
  readonly type?: unknown;
  readonly index?: unknown;
  readonly message?: { readonly usage?: Record<string, unknown> };
  readonly content_block?: ContentBlock;
  readonly delta?: {
    readonly type?: unknown;
    readonly text?: unknown;
    readonly partial_json?: unknown;
    readonly stop_reason?: unknown;
  };
  readonly usage?: Record<string, unknown>;
}

/**
 * The message a stream carried.
 * @param malformed makes the error for a body that is not a complete Messages stream.
 * @throws EngineError: `server-error` for an `error` event (a failure after the 200 status: what
 *   came before it is not the whole answer); what `malformed` makes otherwise.
 */
export function messageFromStream(
  text: string,
  where: string,
  base: string,
  malformed: (detail: string) => EngineError,
): WireAnswer {
  const events = streamEvents(text);
  if (events.length === 0) {
    throw malformed(`the body is not an event stream (${describeBody(text)})`);
  }
  let started = false;
  let stopped = false;
  const blocks: ContentBlock[] = [];
  let stopReason: string | null = null;
  let usage: Record<string, unknown> = {};
  for (const { event: name, data } of events) {
    let event: StreamEvent;
    try {
      event = JSON.parse(data) as StreamEvent;
    } catch {
      throw malformed(`a stream event is not JSON (${JSON.stringify(data.slice(0, 60))})`);
    }
    // The `type` in the data is authoritative; the `event:` line repeats it.
    const type = typeof event.type === 'string' ? event.type : name;
    if (type === 'error') {
      throw new EngineError(
        'server-error',
        `${where}: ${base} reported an error in the middle of the stream: ${errorMessageOf(data)}`,
      );
    }
    if (type === 'message_start') {
      started = true;
      usage = { ...event.message?.usage };
      continue;
    }
    if (type === 'ping' || !isKnown(type)) continue; // new event kinds may come: not an error
    if (!started) throw malformed(`the stream sent ${type} before message_start`);
    switch (type) {
      case 'content_block_start':
        blocks[blockIndex(event, malformed)] = { ...event.content_block, type: blockType(event) };
        break;
      case 'content_block_delta':
        appendDelta(blocks, blockIndex(event, malformed), event, malformed);
        break;
      case 'message_delta':
        if (typeof event.delta?.stop_reason === 'string') stopReason = event.delta.stop_reason;
        // The final usage is cumulative: it replaces what message_start said.
        usage = { ...usage, ...event.usage };
        break;
      case 'message_stop':
        stopped = true;
        break;
    }
  }
  if (!started) throw malformed('the stream has no message_start event');
  if (!stopped) {
    const received = blocks.reduce(
      (n, block) => n + (typeof block?.text === 'string' ? block.text.length : 0),
      0,
    );
    throw malformed(`the stream was cut off before message_stop (${received} characters received)`);
  }
  return { content: blocks.filter((block) => block !== undefined), stop_reason: stopReason, usage };
}

const KNOWN = new Set([
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
]);

function isKnown(type: string | undefined): type is string {
  return type !== undefined && KNOWN.has(type);
}

function blockIndex(event: StreamEvent, malformed: (detail: string) => EngineError): number {
  const { index } = event;
  // A bound, so a hostile index cannot make a huge sparse list.
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 1000) {
    throw malformed(`a ${String(event.type)} event has no valid index`);
  }
  return index;
}

function blockType(event: StreamEvent): string {
  const type = event.content_block?.type;
  return typeof type === 'string' ? type : 'unknown';
}

/**
 * Adds a delta to its block: a text block's `text_delta`, or a `tool_use` block's
 * `input_json_delta` (pieces of its input's JSON text, joined as `json`; see toolCallOf).
 */
function appendDelta(
  blocks: ContentBlock[],
  index: number,
  event: StreamEvent,
  malformed: (detail: string) => EngineError,
): void {
  const block = blocks[index];
  if (block === undefined) {
    throw malformed(`a content_block_delta for block ${index}, which was never started`);
  }
  if (event.delta?.type === 'text_delta' && typeof event.delta.text === 'string') {
    const before = typeof block.text === 'string' ? block.text : '';
    blocks[index] = { ...block, text: before + event.delta.text };
  } else if (
    event.delta?.type === 'input_json_delta' &&
    typeof event.delta.partial_json === 'string'
  ) {
    const before = typeof block['json'] === 'string' ? block['json'] : '';
    blocks[index] = { ...block, json: before + event.delta.partial_json };
  }
}
