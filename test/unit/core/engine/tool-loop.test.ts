// The tool loop of an `llm` step: turns and tool calls as effects at structural paths, the
// conversation sent back turn after turn, arguments checked before a tool runs, max_turns,
// tool_choice on the first turn only, and tool calls of one turn run at most `concurrency` at once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EffectOutcome } from '../../../../core/src/engine/host.js';
import type {
  ModelCall,
  ModelMessage,
  ToolCall,
} from '../../../../core/src/engine/steps/model-request.js';
import type { JsonValue } from '../../../../core/src/model/workflow.js';
import { httpAnswer, runOnce, stepAt, TableExecutor } from '../../../helpers/engine-harness.js';

/** A model turn that calls tools. */
function calling(...calls: [name: string, args: JsonValue | string][]): EffectOutcome {
  const toolCalls: ToolCall[] = calls.map(([name, args], i) => ({
    id: `call_${name}_${i}`,
    name,
    arguments: typeof args === 'string' ? args : JSON.stringify(args),
  }));
  return {
    response: { content: '', finishReason: 'tool_calls', toolCalls } as unknown as JsonValue,
  };
}

function answering(content: string): EffectOutcome {
  return { response: { content, finishReason: 'stop' } };
}

/** The model's turns, in order: the nth call gets the nth answer (the last repeats). */
function scripted(turns: EffectOutcome[], seen: ModelCall[] = []) {
  return async (call: ModelCall): Promise<EffectOutcome> => {
    seen.push(call);
    return turns[Math.min(seen.length - 1, turns.length - 1)]!;
  };
}

const workflow = (options: { maxTurns?: number; choice?: string; concurrency?: number } = {}) => `
name: agent
inputs:
  question: { type: string }
models:
  m: { provider: openai, model: small-1 }
steps:
  - id: research
    llm:
      model: m
      system: You look things up.
      prompt: \${{ inputs.question }}
      max_turns: ${options.maxTurns ?? 4}
${options.choice ? `      tool_choice: ${options.choice}\n` : ''}${options.concurrency ? `      concurrency: ${options.concurrency}\n` : ''}      tools:
        - name: lookup
          description: Looks up an order.
          parameters:
            type: object
            required: [order_id]
            properties: { order_id: { type: string } }
            additionalProperties: false
          http: { url: 'https://orders.example.com/orders/\${{ args.order_id }}' }
        - name: double
          description: Doubles a number.
          parameters: { type: object, required: [n], properties: { n: { type: number } } }
          transform: \${{ args.n * 2 }}
`;

describe('the tool loop', () => {
  test('runs the tools the model asks for and sends their results back until it answers', async () => {
    const seen: ModelCall[] = [];
    const executor = new TableExecutor({
      llm: scripted(
        [
          calling(['lookup', { order_id: 'A1' }], ['double', { n: 21 }]),
          answering('Order A1 ships; 42.'),
        ],
        seen,
      ),
      http: async (request) => httpAnswer({ id: 'A1', url: request.url }),
    });
    const { result, record } = await runOnce(workflow(), {
      executor,
      input: { question: 'Where is A1?' },
    });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.equal(result.output, 'Order A1 ships; 42.');
    // Each turn and each tool execution is an effect at its own path.
    assert.deepEqual(
      record.effects.map((e) => `${e.path} ${e.kind}`),
      ['research/turn-1 llm', 'research/turn-1/lookup#1 http', 'research/turn-2 llm'],
    );
    assert.equal(
      (record.effects[1]!.request as { url: string }).url,
      'https://orders.example.com/orders/A1',
    );
    // The second turn carries the first one's calls and their results.
    const second = seen[1]!.request.messages as readonly ModelMessage[];
    assert.deepEqual(
      second.slice(2).map((m) => m.role),
      ['assistant', 'tool', 'tool'],
    );
    const results = second.filter((m) => m.role === 'tool');
    assert.deepEqual(JSON.parse(results[0]!.content), {
      status: 200,
      body: { id: 'A1', url: 'https://orders.example.com/orders/A1' },
    });
    assert.equal(results[1]!.content, '42');
    assert.deepEqual(
      results.map((m) => (m as { tool_call_id: string }).tool_call_id),
      ['call_lookup_0', 'call_double_1'],
    );
    // Both turns offer the tools; the recorded request is the neutral one.
    assert.deepEqual(
      seen[0]!.request.tools?.map((t) => t.name),
      ['lookup', 'double'],
    );
    const step = stepAt(record, 'research');
    const conversation = (
      step.input as { conversation: { turns: { path: string }[]; invalid_calls: number } }
    ).conversation;
    assert.deepEqual(
      conversation.turns.map((t) => t.path),
      ['research/turn-1', 'research/turn-2'],
    );
    assert.equal(conversation.invalid_calls, 0);
  });

  test('answers invalid arguments and unknown tools with the error, without running anything', async () => {
    const seen: ModelCall[] = [];
    const executor = new TableExecutor({
      llm: scripted(
        [
          calling(['lookup', { id: 'A1' }], ['lookup', '{not json'], ['refund', { all: true }]),
          answering('I could not look it up.'),
        ],
        seen,
      ),
    });
    const { result, record } = await runOnce(workflow(), { executor, input: { question: 'A1?' } });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.equal(record.effects.filter((e) => e.kind === 'http').length, 0, 'nothing ran');
    const errors = (seen[1]!.request.messages as readonly ModelMessage[]).filter(
      (m) => m.role === 'tool',
    ) as { content: string; is_error?: boolean }[];
    assert.equal(errors.length, 3);
    assert.ok(errors.every((m) => m.is_error === true));
    assert.match(errors[0]!.content, /^Error: invalid arguments: .*order_id/);
    assert.match(errors[1]!.content, /^Error: invalid arguments: not JSON/);
    assert.match(errors[2]!.content, /no tool named 'refund'; the tools are: lookup, double/);
    const conversation = (
      stepAt(record, 'research').input as {
        conversation: { invalid_calls: number; turns: { tool_calls: { path?: string }[] }[] };
      }
    ).conversation;
    assert.equal(conversation.invalid_calls, 3);
    assert.deepEqual(
      conversation.turns[0]!.tool_calls.map((c) => c.path),
      ['research/turn-1/lookup#1', 'research/turn-1/lookup#2', undefined],
    );
  });

  test('fails with max-turns when the model still calls tools on its last turn', async () => {
    const executor = new TableExecutor({
      llm: scripted([calling(['double', { n: 1 }])]),
    });
    const { result, record } = await runOnce(workflow({ maxTurns: 2 }), {
      executor,
      input: { question: 'loop' },
    });
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'max-turns');
    assert.match(
      result.error!.message,
      /steps\.research\.llm: .*turn 2, its last \(max_turns: 2\)/,
    );
    assert.deepEqual(
      record.effects.map((e) => e.path),
      ['research/turn-1', 'research/turn-2'],
    );
    const detail = stepAt(record, 'research').error?.detail as { turns: unknown[] };
    assert.equal(detail.turns.length, 2, 'the conversation so far is in the error');
  });

  test('a named tool_choice is sent on the first turn only', async () => {
    const seen: ModelCall[] = [];
    const executor = new TableExecutor({
      llm: scripted([calling(['double', { n: 2 }]), answering('4')], seen),
    });
    const { result } = await runOnce(workflow({ choice: 'double' }), {
      executor,
      input: { question: 'double 2' },
    });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.deepEqual(
      seen.map((c) => c.request.tool_choice),
      [{ name: 'double' }, 'auto'],
    );
  });

  for (const concurrency of [1, 2]) {
    test(`runs at most ${concurrency} tool call(s) of a turn at once`, async () => {
      let inFlight = 0;
      let most = 0;
      let started = 0;
      let release: () => void = () => undefined;
      let released = new Promise<void>((resolve) => (release = resolve));
      const executor = new TableExecutor({
        llm: scripted([
          calling(
            ['lookup', { order_id: 'a' }],
            ['lookup', { order_id: 'b' }],
            ['lookup', { order_id: 'c' }],
          ),
          answering('done'),
        ]),
        // Each call waits until as many as allowed are in flight (or every call has started):
        // a loop running more at once than allowed shows it in `most`.
        http: async () => {
          started++;
          most = Math.max(most, ++inFlight);
          if (inFlight >= concurrency || started === 3) release();
          await released;
          inFlight--;
          if (inFlight === 0) released = new Promise<void>((resolve) => (release = resolve));
          return httpAnswer('ok');
        },
      });
      const { result, record } = await runOnce(workflow({ concurrency }), {
        executor,
        input: { question: 'three' },
      });
      assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
      assert.equal(most, concurrency);
      assert.deepEqual(
        record.effects
          .filter((e) => e.kind === 'http')
          .map((e) => e.path)
          .sort(),
        ['research/turn-1/lookup#1', 'research/turn-1/lookup#2', 'research/turn-1/lookup#3'],
      );
    });
  }

  test('a shell tool runs only where shell steps may', async () => {
    const text = `
name: shell-agent
models:
  m: { provider: openai, model: small-1 }
steps:
  - id: agent
    llm:
      model: m
      prompt: Count.
      max_turns: 2
      tools:
        - name: count
          description: Counts.
          parameters: { type: object }
          shell: wc -l
`;
    const executor = new TableExecutor({ llm: scripted([calling(['count', {}]), answering('3')]) });
    const { result } = await runOnce(text, { executor });
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'shell-not-allowed');
    assert.match(
      result.error!.message,
      /^steps\.agent\.llm\.tools\[0\]\.shell: shell steps are off/,
    );
  });
});
