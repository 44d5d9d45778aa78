import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expressionOccurrences } from '../../../../core/src/expressions/expression-occurrences.js';
import { parseYamlText } from '../../../../core/src/parse/parse-yaml.js';

function occurrences(text: string): ReturnType<typeof expressionOccurrences> {
  return expressionOccurrences(parseYamlText(text).locator.doc, text);
}

test('expressions in plain, quoted and block values are found at their exact offsets', () => {
  const text = [
    'steps:',
    '  - id: a',
    '    transform: ${{ inputs.x }}',
    '  - id: b',
    '    llm:',
    '      prompt: |',
    '        Use ${{ steps.a.output }} and ${{ inputs.y }}',
    "    when: '${{ steps.a.output.ok }}'",
    '',
  ].join('\n');
  const found = occurrences(text);
  assert.deepEqual(
    found.map((o) => text.slice(o.start, o.end)),
    ['${{ inputs.x }}', '${{ steps.a.output }}', '${{ inputs.y }}', '${{ steps.a.output.ok }}'],
  );
  assert.deepEqual(found[1]!.valuePath, ['steps', 1, 'llm', 'prompt']);
  assert.deepEqual(
    found.flatMap((o) => o.references.map((r) => text.slice(r.start, r.end))),
    ['inputs.x', 'steps.a.output', 'inputs.y', 'steps.a.output.ok'],
  );
  assert.deepEqual(found[3]!.references[0]!.path, ['a', 'output', 'ok']);
});

test('an expression that does not compile is listed without references', () => {
  const text = 'transform: ${{ inputs. }}\n';
  const [only] = occurrences(text);
  assert.equal(only?.ok, false);
  assert.deepEqual(only?.references, []);
  assert.equal(text.slice(only!.start, only!.end), '${{ inputs. }}');
});

test('an expression whose text is changed by escapes is skipped, not misplaced', () => {
  const text = 'a: "${{ \\"x\\" }}"\nb: ${{ inputs.z }}\n';
  const found = occurrences(text);
  assert.deepEqual(
    found.map((o) => text.slice(o.start, o.end)),
    ['${{ inputs.z }}'],
  );
});

test('keys and non-template values are ignored; broken YAML yields what was recovered', () => {
  assert.deepEqual(occurrences('${{ a }}: 1\nb: plain\n'), []);
  const text = 'a: ${{ inputs.q }}\nb: [unclosed\n';
  assert.deepEqual(
    occurrences(text).map((o) => o.references.map((r) => r.root)),
    [['inputs']],
  );
});
