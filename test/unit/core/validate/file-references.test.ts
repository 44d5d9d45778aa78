// Prompts and schemas in files, in pure validation: contents come from the caller's reader and are
// embedded in the definition; they are checked as inline values would be.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileRead } from '../../../../core/src/model/file-refs.js';
import { validateWorkspaceFiles } from '../../../../core/src/validate/validate-workspace.js';

const FLOW = `name: a
inputs:
  ticket: { type: string }
models:
  fast: { provider: openai, model: small-1 }
steps:
  - id: a
    llm:
      model: fast
      prompt: { file: p.md }
      output: json
      schema: { file: s.json }
      tools:
        - name: t
          description: A tool.
          parameters: { file: args.yaml }
          transform: \${{ args.x }}
      max_turns: 2
`;

function validate(files: Record<string, string>, text = FLOW) {
  const asked: string[] = [];
  const reader = (workflow: string, ref: string): FileRead => {
    asked.push(`${workflow} ${ref}`);
    const content = files[ref];
    return content === undefined
      ? { ok: false, code: 'file-not-found', message: `${ref}: no such file` }
      : { ok: true, text: content };
  };
  const [result] = validateWorkspaceFiles([{ file: '/w/a.workflow.yaml', text }], {
    readReferencedFile: reader,
  });
  return { result: result!, asked };
}

test('the contents are embedded: text for a prompt, the parsed object for schemas', () => {
  const { result, asked } = validate({
    'p.md': 'Classify ${{ inputs.ticket }}\n',
    's.json': '{"type": "object"}',
    'args.yaml': 'type: object\nproperties: { x: { type: string } }\nadditionalProperties: false\n',
  });
  assert.deepEqual(result.diagnostics, []);
  assert.deepEqual(asked, [
    '/w/a.workflow.yaml p.md',
    '/w/a.workflow.yaml s.json',
    '/w/a.workflow.yaml args.yaml',
  ]);
  const llm = result.definition!.steps[0]!.llm!;
  assert.deepEqual(llm.prompt, { file: 'p.md', content: 'Classify ${{ inputs.ticket }}\n' });
  assert.deepEqual(llm.schema, { file: 's.json', content: { type: 'object' } });
  assert.deepEqual(llm.tools![0]!.parameters, {
    file: 'args.yaml',
    content: {
      type: 'object',
      properties: { x: { type: 'string' } },
      additionalProperties: false,
    },
  });
});

test("a file's content is checked as an inline value is, at the reference", () => {
  const { result } = validate({
    'p.md': '${{ steps.nope.output }}',
    's.json': '[1]',
    'args.yaml': 'type: array\n',
  });
  assert.deepEqual(
    result.diagnostics.map((d) => `${d.range.start.line} ${d.code}`),
    // The prompt's expression reads no input that exists: ticket is unused.
    ['3 unused-input', '10 unknown-step', '12 invalid-referenced-file', '16 invalid-json-schema'],
  );
  assert.equal(result.definition, undefined);
});

test('content written by hand is an error; without a reader references stay as written', () => {
  const handWritten = FLOW.replace('{ file: p.md }', '{ file: p.md, content: sneaky }');
  const { result } = validate(
    { 'p.md': 'x', 's.json': '{}', 'args.yaml': 'type: object' },
    handWritten,
  );
  assert.deepEqual(
    result.diagnostics.map((d) => `${d.range.start.line} ${d.code}: ${d.message}`),
    [
      '3 unused-input: inputs.ticket: the input is never used',
      '10 schema: `content` is read from the file: remove it',
    ],
  );
  const [plain] = validateWorkspaceFiles([{ file: '/w/a.workflow.yaml', text: FLOW }]);
  assert.deepEqual(plain!.definition!.steps[0]!.llm!.prompt, { file: 'p.md' });
});

test('a prompt that is neither text nor { file } gets one message, not one per branch', () => {
  const messages = (prompt: string): string[] =>
    validate({}, FLOW.replace('{ file: p.md }', prompt))
      .result.diagnostics.filter((d) => d.range.start.line === 10)
      .map((d) => d.message);
  assert.deepEqual(messages('42'), ['steps.a.llm.prompt: must be a string or a mapping (got 42)']);
  assert.deepEqual(messages('{ fil: p.md }'), [
    "steps.a.llm.prompt: missing required key 'file'",
    "steps.a.llm.prompt.fil: unknown key 'fil' (did you mean 'file'?); allowed here: file and content",
  ]);
});
