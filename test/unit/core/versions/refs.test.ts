import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RefError } from '../../../../core/src/model/errors.js';
import { formatRef, parseRef } from '../../../../core/src/versions/refs.js';

test('the ref grammar', () => {
  assert.deepEqual(parseRef('support-triage@3'), { kind: 'seq', name: 'support-triage', seq: 3 });
  assert.deepEqual(parseRef('support-triage@v12'), {
    kind: 'seq',
    name: 'support-triage',
    seq: 12,
  });
  assert.deepEqual(parseRef('t@sha256:ABCDEF01'), {
    kind: 'hash',
    name: 't',
    prefix: 'sha256:abcdef01',
  });
  assert.deepEqual(parseRef('t@production'), { kind: 'channel', name: 't', channel: 'production' });
  assert.deepEqual(parseRef('flows/t.workflow.yaml'), {
    kind: 'file',
    path: 'flows/t.workflow.yaml',
  });
  assert.deepEqual(parseRef('./x.yml'), { kind: 'file', path: './x.yml' });
  assert.equal(formatRef(parseRef('t@v3')), 't@3');
});

test('bad refs say what is accepted', () => {
  const cases: [string, RegExp][] = [
    ['support-triage', /support-triage@<number>/],
    ['Bad Name@3', /not a workflow name/],
    ['t@sha256:abc', /at least 8 hex digits/],
    ['t@sha256:xyz12345', /at least 8 hex digits/],
    ['t@0', /not a version/],
    ['t@Prod!', /not a version/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseRef(text),
      (error: unknown) => error instanceof RefError && message.test(error.message),
      text,
    );
  }
});
