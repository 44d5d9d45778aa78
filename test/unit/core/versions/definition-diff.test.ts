import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeVersionRecord, type VersionRecord } from '../../../../core/src/store/records.js';
import { diffVersions } from '../../../../core/src/versions/definition-diff.js';
import { validateWorkflowText } from '../../../../core/src/validate/validate-workflow.js';

function version(source: string): VersionRecord {
  const { definition, diagnostics } = validateWorkflowText(source);
  assert.ok(definition, JSON.stringify(diagnostics));
  return makeVersionRecord({
    definition,
    source,
    createdAt: '2026-01-01T00:00:00Z',
    author: 'a',
    git: null,
  });
}

const A = `name: flow
inputs: { q: { type: string } }
steps:
  - id: one
    transform: \${{ inputs.q }}
  - id: two
    transform: 2
  - id: three
    transform: 3
outputs: { r: "\${{ steps.one.output }}" }
`;

test('step-level changes: changed, added, removed, moved', () => {
  const B = `name: flow
description: now described
inputs: { q: { type: string }, extra: { type: string, default: x } }
steps:
  - id: three
    transform: 3
  - id: one
    transform: \${{ inputs.q & inputs.extra }}
  - id: four
    transform: 4
outputs: { r: "\${{ steps.one.output }}" }
`;
  const diff = diffVersions(version(A), version(B), { a: 'flow v1', b: 'flow v2' });
  assert.equal(diff.identical, false);
  assert.deepEqual(
    diff.changes.map((c) => `${c.change} ${c.path}`).sort(),
    [
      'added inputs.extra',
      'added steps.four',
      'changed description',
      'changed steps.one',
      'removed steps.two',
    ].sort(),
  );
  assert.match(diff.unified, /^--- flow v1\n\+\+\+ flow v2\n/);
  assert.match(diff.unified, /\n-  - id: two\n/);
});

test('a step whose content is unchanged but whose place in the order changed is moved', () => {
  const reordered = A.replace(
    '  - id: one\n    transform: ${{ inputs.q }}\n  - id: two\n    transform: 2\n  - id: three\n    transform: 3\n',
    '  - id: two\n    transform: 2\n  - id: three\n    transform: 3\n  - id: one\n    transform: ${{ inputs.q }}\n',
  );
  assert.notEqual(reordered, A);
  const diff = diffVersions(version(A), version(reordered), { a: 'a', b: 'b' });
  assert.deepEqual(diff.changes, [{ path: 'steps.one', change: 'moved' }]);
});

test('formatting-only edits are the same version, and the text diff shows them', () => {
  const reformatted = A.replace(
    'inputs: { q: { type: string } }',
    'inputs:\n  q:\n    type: string  # the query',
  );
  const diff = diffVersions(version(A), version(reformatted), { a: 'a', b: 'b' });
  assert.equal(diff.identical, true);
  assert.deepEqual(diff.changes, []);
  assert.match(diff.unified, /\+  q:/);
  assert.equal(diffVersions(version(A), version(A), { a: 'a', b: 'b' }).unified, '');
});
