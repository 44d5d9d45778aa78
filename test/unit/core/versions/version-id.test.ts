// A version id is the hash of the parsed definition's canonical JSON and nothing else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, contentId } from '../../../../core/src/hash/canonical.js';
import { isContentId } from '../../../../core/src/model/content-id.js';
import { makeVersionRecord, versionRecordProblem } from '../../../../core/src/store/records.js';
import { validateWorkflowText } from '../../../../core/src/validate/validate-workflow.js';

const BASE = `name: triage
# a comment
steps:
  - id: classify
    transform: \${{ inputs.ticket }}
inputs:
  ticket: { type: string }
`;

function idOf(text: string): string {
  const { definition, diagnostics } = validateWorkflowText(text);
  assert.ok(definition, JSON.stringify(diagnostics));
  return contentId(definition);
}

test('formatting, comments, quoting, flow vs block style and key order do not change the id', () => {
  const reformatted = `# header comment
inputs:
  ticket:
    type: "string"   # quoted now
steps:
- transform: '\${{ inputs.ticket }}'
  id: classify
name: triage
`;
  assert.equal(idOf(BASE), idOf(reformatted));
});

test('any change of meaning changes the id', () => {
  const variants = [
    BASE.replace('classify', 'classify2'),
    BASE.replace('inputs.ticket }}', 'inputs.ticket  }}'), // expression text is content
    BASE.replace('type: string', 'type: string, description: d'),
    BASE.replace('name: triage', 'name: triage2'),
  ];
  const ids = new Set([idOf(BASE), ...variants.map(idOf)]);
  assert.equal(ids.size, variants.length + 1);
});

test('canonical JSON follows RFC 8785 (sorted keys, shortest numbers, minimal escapes)', () => {
  assert.equal(
    canonicalJson({ b: 1, a: [1.0, 1e21, 'é\u2028'], c: { z: null, y: true } }),
    '{"a":[1,1e+21,"é\u2028"],"b":1,"c":{"y":true,"z":null}}',
  );
  assert.ok(isContentId(contentId({})));
  assert.equal(contentId({ a: 1, b: 2 }), contentId({ b: 2, a: 1 }));
});

test('a version record verifies, and any edit to it is detected', () => {
  const { definition } = validateWorkflowText(BASE);
  const record = makeVersionRecord({
    definition: definition!,
    source: BASE,
    createdAt: '2026-11-26T00:00:00.000Z',
    author: 'Ada',
    git: { commit: 'abc', dirty: false },
  });
  assert.equal(record.id, contentId(definition));
  assert.equal(versionRecordProblem(record, record.id), undefined);
  const edits: object[] = [
    { ...record, source: `${BASE}\n# edited` },
    { ...record, author: 'Mallory' },
    { ...record, definition: { ...record.definition, description: 'x' } },
    { ...record, name: 'other' },
  ];
  for (const edited of edits)
    assert.ok(versionRecordProblem(edited, record.id), JSON.stringify(edited).slice(0, 80));
  assert.match(versionRecordProblem(record, `sha256:${'0'.repeat(64)}`)!, /not sha256:0000/);
});
