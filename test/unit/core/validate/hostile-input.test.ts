// Malformed and hostile YAML yields diagnostics, never a crash or a hang. The timeouts below
// guard against hangs only (a hang is a failure); they are not performance assertions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_WORKFLOW_BYTES } from '../../../../core/src/parse/parse-yaml.js';
import { validateWorkflowText } from '../../../../core/src/validate/validate-workflow.js';

const GUARD = { timeout: 20_000 };

function codes(text: string): string[] {
  return validateWorkflowText(text).diagnostics.map((d) => d.code);
}

test('a file over the size limit is refused with one diagnostic, without parsing', GUARD, () => {
  const step = '  - id: s\n    transform: "' + 'x'.repeat(1000) + '"\n';
  const text =
    'name: huge\nsteps:\n' + step.repeat(Math.ceil((MAX_WORKFLOW_BYTES + 1) / step.length));
  const result = validateWorkflowText(text);
  assert.deepEqual(
    result.diagnostics.map((d) => d.code),
    ['file-too-large'],
  );
  assert.match(result.diagnostics[0]!.message, /MiB/);
});

test('a large but legal file (1.5 MiB, 2 000 steps) validates completely', GUARD, () => {
  const lines = ['name: big', 'steps:'];
  for (let i = 0; i < 2000; i++) {
    lines.push(
      `  - id: s${i}`,
      `    transform: "${'y'.repeat(700)} \${{ ${i === 0 ? '1' : `steps.s${i - 1}.output`} }}"`,
    );
  }
  const result = validateWorkflowText(lines.join('\n'));
  assert.deepEqual(result.diagnostics, []);
  assert.equal(result.definition?.steps.length, 2000);
});

test('a million opening brackets is refused at the first level too deep', GUARD, () => {
  const result = validateWorkflowText('name: x\nsteps: ' + '['.repeat(1_000_000));
  assert.deepEqual(
    result.diagnostics.map((d) => d.code),
    ['yaml-limit'],
  );
  assert.equal(result.diagnostics[0]!.range.start.line, 2);
});

test('brackets inside quoted strings and comments do not count as nesting', () => {
  const deepText = '['.repeat(100);
  const text = `name: x\n# ${deepText}\nsteps:\n  - id: a\n    transform: "${deepText}"\n  - id: b\n    transform: '${deepText}'\n`;
  assert.deepEqual(codes(text), []);
});

test('deep block nesting is refused past the depth limit', GUARD, () => {
  const lines = ['name: x', 'steps:', '  - id: a', '    transform:'];
  for (let i = 0; i < 400; i++) lines.push(`${' '.repeat(i + 6)}k${i}:`);
  assert.deepEqual(codes(lines.join('\n')), ['yaml-limit']);
});

test('an alias bomb is refused', GUARD, () => {
  let text =
    'name: x\nsteps:\n  - id: a\n    transform:\n      l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n';
  for (let i = 1; i < 12; i++)
    text += `      l${i}: &l${i} [${Array(10)
      .fill(`*l${i - 1}`)
      .join(', ')}]\n`;
  assert.deepEqual(codes(text), ['yaml-limit']);
});

test('binary garbage gives diagnostics', GUARD, () => {
  let seed = 42;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 20; round++) {
    const bytes = Array.from({ length: 4096 }, () =>
      String.fromCharCode(Math.floor(random() * 256)),
    );
    const result = validateWorkflowText(bytes.join(''));
    assert.ok(result.diagnostics.length > 0);
    assert.equal(result.definition, undefined);
  }
});

test('NUL bytes, a BOM, CRLF line ends and an unpaired surrogate are handled', () => {
  assert.ok(codes('name: x\u0000\nsteps: []').length > 0);
  assert.deepEqual(codes('\uFEFFname: bom\nsteps:\n  - id: a\n    transform: 1\n'), []);
  const crlf = 'name: crlf\r\nsteps:\r\n  - id: a\r\n    transform: ${{ steps.nope.output }}\r\n';
  const result = validateWorkflowText(crlf);
  assert.deepEqual(
    result.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column]),
    [['unknown-step', 4, 20]],
  );
  assert.doesNotThrow(() =>
    validateWorkflowText('name: "\uD800"\nsteps:\n  - id: a\n    transform: 1\n'),
  );
});

test('empty, whitespace-only and scalar documents are explained', () => {
  for (const text of ['', '   \n\n', '# only a comment\n', 'null', '~']) {
    assert.deepEqual(codes(text), ['not-a-mapping'], JSON.stringify(text));
  }
  assert.deepEqual(codes('42'), ['not-a-mapping']);
  assert.deepEqual(codes('"just a string"'), ['not-a-mapping']);
});

test('random mutations of a valid file never throw', GUARD, () => {
  const base = [
    'name: support-triage',
    'inputs: { ticket: { type: string } }',
    'models: { fast: { provider: openai, model: m } }',
    'steps:',
    '  - id: classify',
    '    llm: { model: fast, prompt: "Classify ${{ inputs.ticket }}", output: json }',
    '  - id: notes',
    '    foreach: ${{ steps.classify.output.items }}',
    '    transform: "${{ item }} ${{ index }}"',
    'outputs: { category: "${{ steps.classify.output.category }}" }',
  ].join('\n');
  const alphabet = ':-[]{}"\'$#&*!|>\n\t ${{}}%@`,?';
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < 400; i++) {
    const chars = [...base];
    for (let edits = 1 + random(4); edits > 0; edits--) {
      const at = random(chars.length);
      const kind = random(3);
      if (kind === 0) chars.splice(at, 1);
      else if (kind === 1) chars.splice(at, 0, alphabet[random(alphabet.length)]!);
      else chars[at] = alphabet[random(alphabet.length)]!;
    }
    const text = chars.join('');
    const result = validateWorkflowText(text);
    for (const d of result.diagnostics) {
      assert.ok(
        d.range.start.line >= 1 && d.range.start.column >= 1,
        `bad range for ${JSON.stringify(text)}`,
      );
    }
  }
});
