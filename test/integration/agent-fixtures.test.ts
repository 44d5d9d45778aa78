// An agent step runs offline from fixtures: a fixture answer `{ tool_calls: [...] }` is a turn
// calling tools (their HTTP calls answered by fixtures too), the next answer ends the loop; the
// run replays exactly; a fixture whose tool calls are malformed is reported by line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertExit, gitRepo, lockstep, parseJson } from '../helpers/cli-workspace.js';

const AGENT = `name: support-agent
inputs:
  question: { type: string }
models:
  gpt: { provider: openai, model: small-1 }
steps:
  - id: answer
    llm:
      model: gpt
      prompt: \${{ inputs.question }}
      max_turns: 3
      tools:
        - name: lookup
          description: Looks up an order by its id.
          parameters: { type: object, required: [order_id], properties: { order_id: { type: string } } }
          http: { url: 'https://crm.example.com/orders/\${{ args.order_id }}' }
outputs:
  reply: \${{ steps.answer.output }}
`;

const FIXTURES = `models:
  - step: answer
    answers:
      - tool_calls: [{ name: lookup, arguments: { order_id: A-1 } }, { name: lookup, arguments: '{"order_id":"B-2"}' }]
      - Order A-1 shipped yesterday; B-2 is being packed.
http:
  - url: https://crm.example.com/orders/A-1
    body: { id: A-1, status: shipped }
  - url: https://crm.example.com/orders/B-2
    body: { id: B-2, status: packing }
`;

test('an agent step runs offline from fixtures that call tools, and replays exactly', async (t) => {
  const dir = gitRepo(t, { 'support-agent.workflow.yaml': AGENT, 'fixtures.yaml': FIXTURES });
  const run = await lockstep(dir, [
    'run',
    'support-agent.workflow.yaml',
    '--fixtures',
    'fixtures.yaml',
    '-i',
    'question=Where are my orders?',
    '--json',
  ]);
  assertExit(run, 0);
  const { id, output } = parseJson<{ id: string; output: { reply: string } }>(run);
  assert.equal(output.reply, 'Order A-1 shipped yesterday; B-2 is being packed.');
  const inspect = await lockstep(dir, ['inspect', id, '--json']);
  const effects = parseJson<{ effects: { path: string; kind: string }[] }>(inspect).effects;
  assert.deepEqual(
    effects.filter((e) => e.kind !== 'secret').map((e) => `${e.kind} ${e.path}`),
    [
      'llm answer/turn-1',
      'http answer/turn-1/lookup#1',
      'http answer/turn-1/lookup#2',
      'llm answer/turn-2',
    ],
  );
  assert.match(inspect.stdout, /packing/, 'the tool results went back to the model');
  const replay = await lockstep(dir, ['replay', id, '--json']);
  assertExit(replay, 0);
  assert.equal(parseJson<{ verified: boolean }>(replay).verified, true);
});

test('a fixture whose tool calls are malformed is reported by line, and nothing runs', async (t) => {
  const dir = gitRepo(t, {
    'support-agent.workflow.yaml': AGENT,
    'fixtures.yaml':
      'models:\n  - step: answer\n    answers:\n      - tool_calls: []\n      - done\n',
  });
  const run = await lockstep(dir, [
    'run',
    'support-agent.workflow.yaml',
    '--fixtures',
    'fixtures.yaml',
    '-i',
    'question=q',
  ]);
  assertExit(run, 2);
  assert.match(
    run.stderr,
    /fixtures\.yaml:4:\d+: .*models\[0\]\.answers\[0\]: tool_calls lists no call/,
  );
});
