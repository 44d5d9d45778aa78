// The engine through the runner: every step kind, `when`, inputs and outputs, sub-workflows,
// asserted on the run as the store recorded it. Foreach, retries, timeouts, cancellation and
// effect identity have files of their own beside this one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputError } from '../../../../core/src/model/inputs.js';
import { LiveExecutor, type ShellRequest } from '../../../../core/src/providers/live-executor.js';
import type { ResolvedVersion } from '../../../../core/src/versions/resolve.js';
import { MemoryStore } from '../../../../core/src/store/memory-store.js';
import {
  draftOf,
  httpAnswer,
  modelAnswer,
  runOnce,
  stepAt,
  TableExecutor,
  versionOf,
} from '../../../helpers/engine-harness.js';

const MODEL = `models:
  fast:
    provider: openai
    model: small-1
    temperature: 0
`;

describe('transform steps', () => {
  test('one expression keeps its type; anything else is string interpolation', async () => {
    const { result, record } = await runOnce(`name: shapes
inputs:
  n: { type: integer, default: 3 }
  tags: { type: array, default: [a, b] }
steps:
  - id: list
    transform: \${{ inputs.tags }}
  - id: number
    transform: "\${{ inputs.n * 2 }}"
  - id: flag
    transform: \${{ inputs.n > 2 }}
  - id: text
    transform: "n=\${{ inputs.n }} tags=\${{ inputs.tags }} none=\${{ null }} yes=\${{ true }}"
  - id: object
    transform:
      count: \${{ $count(steps.list.output) }}
      first: \${{ steps.list.output[0] }}
      label: first is \${{ steps.list.output[0] }}
      nested: ['\${{ steps.number.output }}', plain]
`);
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.deepEqual(stepAt(record, 'list').output, ['a', 'b']);
    assert.equal(stepAt(record, 'number').output, 6);
    assert.equal(stepAt(record, 'flag').output, true);
    assert.equal(stepAt(record, 'text').output, 'n=3 tags=["a","b"] none= yes=true');
    assert.deepEqual(stepAt(record, 'object').output, {
      count: 2,
      first: 'a',
      label: 'first is a',
      nested: [6, 'plain'],
    });
    // No outputs declared: the run's output is the last step's.
    assert.deepEqual(result.output, stepAt(record, 'object').output);
    assert.deepEqual(record.output, result.output);
    assert.deepEqual(
      record.steps.map((s) => [s.path, s.step, s.status, s.attempts]),
      [
        ['list', 'list', 'succeeded', 1],
        ['number', 'number', 'succeeded', 1],
        ['flag', 'flag', 'succeeded', 1],
        ['text', 'text', 'succeeded', 1],
        ['object', 'object', 'succeeded', 1],
      ],
    );
    assert.deepEqual(record.effects, [], 'a transform touches nothing outside');
  });

  test('an expression that fails is a step error naming the field', async () => {
    const { result, record } = await runOnce(`name: broken
steps:
  - id: bad
    transform: \${{ $number("not a number") }}
  - id: never
    transform: 1
`);
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'expression');
    assert.match(result.error?.message ?? '', /^steps\.bad\.transform: \$\{\{ \$number/);
    assert.equal(stepAt(record, 'bad').status, 'failed');
    assert.equal(
      record.steps.some((s) => s.path === 'never'),
      false,
      'later steps do not run',
    );
    assert.equal(record.status, 'failed');
    assert.deepEqual(record.error, result.error);
  });
});

describe('llm steps', () => {
  test('a text answer is the output; the step records the canonical request', async () => {
    const executor = new TableExecutor({
      llm: async (call) => modelAnswer(`echo: ${call.request.messages.at(-1)?.content}`),
    });
    const { result, record } = await runOnce(
      `name: ask
inputs:
  q: { type: string }
${MODEL}steps:
  - id: answer
    llm:
      model: fast
      system: Be brief.
      prompt: "Question: \${{ inputs.q }}"
      max_tokens: 50
`,
      { executor, input: { q: 'why?' } },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.equal(result.output, 'echo: Question: why?');
    const request = {
      provider: 'openai',
      model: 'small-1',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Question: why?' },
      ],
      temperature: 0,
      max_tokens: 50,
    };
    assert.deepEqual(stepAt(record, 'answer').input, request);
    assert.equal(record.effects.length, 1);
    const effect = record.effects[0]!;
    assert.equal(effect.kind, 'llm');
    assert.equal(effect.path, 'answer');
    assert.equal(effect.occurrence, 0);
    assert.deepEqual(effect.request, request);
    assert.deepEqual(effect.response, { content: 'echo: Question: why?', finishReason: 'stop' });
    assert.match(effect.key, /^rk1:sha256:[0-9a-f]{64}$/);
  });

  test('output: json parses the answer (a code fence is removed) and checks the schema', async () => {
    const answers = ['```json\n{"category": "bug"}\n```', '{"category": "billing", "extra": 1}'];
    const executor = new TableExecutor({
      llm: async (call) => {
        assert.deepEqual(call.request.response_format, { type: 'json_object' });
        return modelAnswer(answers.shift()!);
      },
    });
    const { result, record } = await runOnce(
      `name: classify
${MODEL}steps:
  - id: first
    llm:
      model: fast
      prompt: Classify A
      output: json
      schema: { type: object, required: [category], properties: { category: { enum: [billing, bug] } } }
  - id: second
    llm: { model: fast, prompt: Classify B, output: json }
outputs:
  a: \${{ steps.first.output.category }}
  b: \${{ steps.second.output }}
`,
      { executor },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.deepEqual(result.output, { a: 'bug', b: { category: 'billing', extra: 1 } });
    assert.deepEqual(stepAt(record, 'first').output, { category: 'bug' });
  });

  test('an answer that is not JSON, or not of the schema, is a step error that keeps the text', async () => {
    const workflow = (answer: string): Promise<Awaited<ReturnType<typeof runOnce>>> =>
      runOnce(
        `name: classify
${MODEL}steps:
  - id: first
    llm:
      model: fast
      prompt: Classify
      output: json
      schema: { type: object, required: [category], properties: { category: { enum: [billing, bug] } } }
`,
        { executor: new TableExecutor({ llm: async () => modelAnswer(answer) }) },
      );
    const notJson = await workflow('It is a bug, I think.');
    assert.equal(notJson.result.status, 'failed');
    const error = stepAt(notJson.record, 'first').error;
    assert.equal(error?.code, 'invalid-json');
    assert.match(error?.message ?? '', /steps\.first\.llm: the model was asked for JSON/);
    assert.deepEqual(error?.detail, { text: 'It is a bug, I think.' });

    const wrong = await workflow('{"category": "weather"}');
    assert.equal(wrong.result.status, 'failed');
    const schemaError = stepAt(wrong.record, 'first').error;
    assert.equal(schemaError?.code, 'schema');
    assert.match(schemaError?.message ?? '', /\/category/);
    assert.deepEqual(schemaError?.detail, { answer: { category: 'weather' } });
  });
});

describe('http steps', () => {
  test('the rendered request goes out; status, headers and body are the output', async () => {
    const executor = new TableExecutor({
      http: async (request) => {
        assert.equal(request.url, 'https://crm.example.com/customers/c-42?fields=name&q=a+b');
        return httpAnswer({ id: 'c-42', name: 'Ada', method: request.method });
      },
    });
    const { result, record } = await runOnce(
      `name: lookup
inputs:
  id: { type: string }
steps:
  - id: customer
    http:
      method: POST
      url: https://crm.example.com/customers/\${{ inputs.id }}
      query: { fields: name, q: a b }
      headers: { X-Trace: "t-\${{ inputs.id }}" }
      body: { id: "\${{ inputs.id }}", n: 1 }
outputs:
  name: \${{ steps.customer.output.body.name }}
  status: \${{ steps.customer.output.status }}
`,
      { executor, input: { id: 'c-42' } },
    );
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.deepEqual(result.output, { name: 'Ada', status: 200 });
    const request = {
      method: 'POST',
      url: 'https://crm.example.com/customers/c-42?fields=name&q=a+b',
      headers: { 'x-trace': 't-c-42' },
      body: { id: 'c-42', n: 1 },
    };
    assert.deepEqual(stepAt(record, 'customer').input, request);
    assert.deepEqual(record.effects[0]?.request, request);
    assert.deepEqual(stepAt(record, 'customer').output, {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: { id: 'c-42', name: 'Ada', method: 'POST' },
    });
  });

  test('a status outside 2xx (or outside `expect`) fails the step with the status recorded', async () => {
    const executor = new TableExecutor({
      http: async (request) =>
        httpAnswer({ error: 'nope' }, request.url.endsWith('/a') ? 404 : 201),
    });
    const failed = await runOnce(
      `name: lookup
steps:
  - id: get
    http: { url: https://api.example.com/a }
`,
      { executor },
    );
    assert.equal(failed.result.status, 'failed');
    const error = stepAt(failed.record, 'get').error;
    assert.equal(error?.code, 'http-status');
    assert.match(
      error?.message ?? '',
      /steps\.get\.http: GET https:\/\/api\.example\.com\/a answered 404 \(expected a 2xx status\)/,
    );
    assert.deepEqual(error?.detail, { status: 404, body: { error: 'nope' } });

    const expected = await runOnce(
      `name: lookup
steps:
  - id: get
    http: { url: https://api.example.com/b, expect: 200 }
`,
      { executor },
    );
    assert.equal(expected.result.status, 'failed');
    assert.match(expected.result.error?.message ?? '', /answered 201 \(expected 200\)/);
  });
});

describe('shell steps', () => {
  const SHELL = `name: build
steps:
  - id: list
    shell:
      run: echo "\${{ 'hello' }}"
      env: { GREETING: hi }
`;

  test('are refused unless the user allowed them, with a message that says how', async () => {
    const shell = new TableExecutor({
      shell: async () => ({ response: { exitCode: 0, stdout: '', stderr: '' } }),
    });
    const { result, record } = await runOnce(SHELL, { executor: shell, shellAllowed: false });
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'shell-not-allowed');
    assert.match(result.error?.message ?? '', /^steps\.list: shell steps are off/);
    assert.match(result.error?.message ?? '', /--allow-shell/);
    assert.equal(shell.calls.length, 0, 'nothing was run');
    assert.equal(stepAt(record, 'list').status, 'failed');
    assert.deepEqual(record.effects, []);
  });

  test('run through the shell runner when allowed; the command is recorded', async () => {
    const received: ShellRequest[] = [];
    const executor = new LiveExecutor({
      env: () => undefined,
      shell: async (request) => {
        received.push(request);
        return { exitCode: 0, stdout: 'hello\n', stderr: '' };
      },
    });
    const { result, record } = await runOnce(SHELL, { executor, shellAllowed: true });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    const request = { command: 'echo "hello"', cwd: '.', env: { GREETING: 'hi' } };
    assert.deepEqual(received, [request]);
    assert.deepEqual(result.output, { exitCode: 0, stdout: 'hello\n', stderr: '' });
    assert.equal(record.effects.length, 1);
    assert.equal(record.effects[0]?.kind, 'shell');
    assert.deepEqual(record.effects[0]?.request, request);
  });

  test('a non-zero exit fails the step with the end of stderr', async () => {
    const executor = new LiveExecutor({
      env: () => undefined,
      shell: async () => ({ exitCode: 3, stdout: '', stderr: 'one\ntwo\nthree\nfour\n' }),
    });
    const { result } = await runOnce(SHELL, { executor, shellAllowed: true });
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'exit-code');
    assert.match(result.error?.message ?? '', /exited with code 3: two \/ three \/ four$/);
  });
});

describe('workflow steps', () => {
  const CHILD = `name: polite-reply
inputs:
  facts: { type: array }
  who: { type: string }
steps:
  - id: write
    transform: '\${{ "Dear " & inputs.who & ": " & $join(inputs.facts, "; ") }}'
outputs:
  reply: \${{ steps.write.output }}
`;
  const PARENT = `name: triage
steps:
  - id: notes
    transform: [charged twice, wants a refund]
  - id: draft
    workflow:
      name: polite-reply
      version: 2
      inputs: { facts: "\${{ steps.notes.output }}", who: Ada }
outputs:
  reply: \${{ steps.draft.output.reply }}
`;

  async function publishedChild(store: MemoryStore): Promise<ResolvedVersion> {
    const publish = (text: string): ReturnType<MemoryStore['publish']> =>
      store.publish({
        version: draftOf(text),
        message: 'publish',
        at: '2026-01-02T00:00:00.000Z',
        author: 'Ada <ada@example.com>',
        git: null,
      });
    await publish(CHILD.replace('"Dear "', '"Hello "'));
    const { publication } = await publish(CHILD);
    const record = await store.getVersion('polite-reply', publication.version);
    assert.ok(record);
    return { record, publication };
  }

  test('the child runs as its own run, linked to the parent; the parent records its version', async () => {
    const store = new MemoryStore();
    const child = await publishedChild(store);
    assert.equal(child.publication?.seq, 2);
    const asked: unknown[] = [];
    const { result, record } = await runOnce(PARENT, {
      store,
      resolveChild: async (workflow, pin) => {
        asked.push([workflow, pin]);
        return child;
      },
    });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.deepEqual(asked, [['polite-reply', 2]]);
    assert.deepEqual(result.output, { reply: 'Dear Ada: charged twice; wants a refund' });

    const runs = await store.listRuns();
    assert.equal(runs.length, 2);
    const childSummary = runs.find((r) => r.id !== result.id);
    assert.ok(childSummary);
    assert.equal(childSummary.workflow, 'polite-reply');
    assert.equal(childSummary.parent, result.id);
    const childRun = await store.getRun(childSummary.id);
    assert.ok(childRun);
    assert.deepEqual(childRun.header.parent, { run: result.id, step: 'draft' });
    assert.deepEqual(childRun.header.version, { id: child.record.id, seq: 2 });
    assert.deepEqual(childRun.header.input, {
      facts: ['charged twice', 'wants a refund'],
      who: 'Ada',
    });
    assert.equal(childRun.status, 'succeeded');
    assert.deepEqual(childRun.output, result.output);
    assert.notEqual(childRun.header.version.id, record.header.version.id);

    const call = record.effects.find((e) => e.kind === 'workflow');
    assert.ok(call, 'the parent records the call as a workflow effect');
    assert.equal(call.path, 'draft');
    assert.deepEqual(call.request, {
      workflow: 'polite-reply',
      version: 2,
      inputs: { facts: ['charged twice', 'wants a refund'], who: 'Ada' },
    });
    assert.deepEqual(call.response, {
      run: childSummary.id,
      version: { id: child.record.id, seq: 2 },
      status: 'succeeded',
      output: { reply: 'Dear Ada: charged twice; wants a refund' },
    });
    assert.equal(record.header.parent, undefined);
  });

  test('a child that fails fails the calling step, naming the child run', async () => {
    const store = new MemoryStore();
    const failing = versionOf(CHILD.replace('$join(inputs.facts, "; ")', '$number("x")'));
    const { result, record } = await runOnce(PARENT, {
      store,
      resolveChild: async () => failing,
    });
    assert.equal(result.status, 'failed');
    const error = stepAt(record, 'draft').error;
    assert.equal(error?.code, 'child-run');
    const childRun = (await store.listRuns()).find((r) => r.id !== result.id);
    assert.equal(childRun?.status, 'failed');
    assert.match(error?.message ?? '', new RegExp(`run ${childRun?.id}\\) failed`));
  });

  test('child inputs that do not fit, and a runner without resolveChild, are clear step errors', async () => {
    const store = new MemoryStore();
    const misfit = await runOnce(PARENT.replace('who: Ada', 'whom: Ada'), {
      store,
      resolveChild: async () => versionOf(CHILD),
    });
    assert.equal(misfit.result.status, 'failed');
    assert.equal(misfit.result.error?.code, 'child-input');
    assert.match(misfit.result.error?.message ?? '', /'whom' is not an input/);
    assert.match(misfit.result.error?.message ?? '', /input 'who' is required/);
    assert.equal((await store.listRuns()).length, 1, 'no child run was started');

    const unresolved = await runOnce(PARENT);
    assert.equal(unresolved.result.status, 'failed');
    assert.equal(unresolved.result.error?.code, 'child-run');
    assert.match(unresolved.result.error?.message ?? '', /cannot resolve sub-workflow/);
  });
});

describe('when', () => {
  test('false skips the step: status skipped, output null, and later steps read null', async () => {
    const workflow = `name: maybe
inputs:
  escalate: { type: boolean, default: false }
${MODEL}steps:
  - id: page
    when: \${{ inputs.escalate }}
    llm: { model: fast, prompt: Page someone }
  - id: after
    transform:
      paged: \${{ steps.page.output }}
      isNull: \${{ steps.page.output = null }}
      text: "paged=\${{ steps.page.output }}"
  - id: always
    when: true
    transform: ran
`;
    const executor = new TableExecutor({ llm: async () => modelAnswer('called') });
    const { result, record } = await runOnce(workflow, { executor });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    const page = stepAt(record, 'page');
    assert.equal(page.status, 'skipped');
    assert.equal(page.output, null);
    assert.equal(page.attempts, 0);
    assert.equal(executor.calls.length, 0, 'a skipped step calls nothing');
    assert.deepEqual(stepAt(record, 'after').output, { paged: null, isNull: true, text: 'paged=' });
    assert.equal(stepAt(record, 'always').output, 'ran');

    const taken = await runOnce(workflow, { executor, input: { escalate: true } });
    assert.equal(stepAt(taken.record, 'page').status, 'succeeded');
    assert.equal(stepAt(taken.record, 'page').output, 'called');
    assert.deepEqual(stepAt(taken.record, 'after').output, {
      paged: 'called',
      isNull: false,
      text: 'paged=called',
    });
  });

  test('a condition that is not a boolean is an expression error', async () => {
    const { result } = await runOnce(`name: maybe
steps:
  - id: odd
    when: \${{ "yes" }}
    transform: 1
`);
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'expression');
    assert.match(result.error?.message ?? '', /steps\.odd\.when: must be true or false, got "yes"/);
  });
});

describe('inputs', () => {
  const INPUTS = `name: typed
inputs:
  text: { type: string }
  count: { type: integer, default: 2 }
  mode: { type: string, enum: [fast, slow], default: fast }
  note: { type: string, required: false }
steps:
  - id: echo
    transform: \${{ inputs }}
`;

  test('defaults fill what is not given; the run records the prepared inputs', async () => {
    const { result, record } = await runOnce(INPUTS, { input: { text: 'hi' } });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    const prepared = { text: 'hi', count: 2, mode: 'fast', note: null };
    assert.deepEqual(record.header.input, prepared);
    assert.deepEqual(result.output, prepared);
  });

  test('every problem is reported at once, before anything is recorded', async () => {
    const store = new MemoryStore();
    await assert.rejects(
      runOnce(INPUTS, { store, input: { count: 2.5, mode: 'medium', colour: 'red' } }),
      (error: unknown) => {
        assert.ok(error instanceof InputError, String(error));
        assert.equal(error.workflow, 'typed');
        assert.deepEqual(error.problems, [
          "'colour' is not an input of this workflow (inputs: text, count, mode, note)",
          "input 'text' is required (a string)",
          "input 'count' must be an integer, not 2.5",
          'input \'mode\' must be one of "fast", "slow"',
        ]);
        assert.match(error.message, /^typed: 'colour' is not an input/);
        return true;
      },
    );
    assert.deepEqual(await store.listRuns(), [], 'nothing was recorded');
  });
});

describe('outputs', () => {
  test('are evaluated once every step has run, from any step', async () => {
    const { result, record } = await runOnce(`name: outs
steps:
  - id: a
    transform: 1
  - id: b
    transform: \${{ steps.a.output + 1 }}
outputs:
  sum: \${{ steps.a.output + steps.b.output }}
  label: "b=\${{ steps.b.output }}"
  list: ['\${{ steps.a.output }}', '\${{ steps.b.output }}']
`);
    assert.deepEqual(result.output, { sum: 3, label: 'b=2', list: [1, 2] });
    assert.deepEqual(record.output, result.output);
    assert.equal(record.status, 'succeeded');
    assert.ok(record.finishedAt);
  });

  test('an output expression that fails fails the run after the steps succeeded', async () => {
    const { result, record } = await runOnce(`name: outs
steps:
  - id: a
    transform: 1
outputs:
  bad: \${{ $number("x") }}
`);
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'expression');
    assert.match(result.error?.message ?? '', /^outputs\.bad:/);
    assert.equal(stepAt(record, 'a').status, 'succeeded');
  });
});
