import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isScalar } from 'yaml';
import { nodeAtOffset } from '../../../../core/src/parse/node-at-offset.js';
import { parseYamlText } from '../../../../core/src/parse/parse-yaml.js';

const TEXT = [
  'name: triage',
  'steps:',
  '  - id: classify',
  '    llm: { model: fast, prompt: hi }',
  '  - id: b',
  '    ll',
  '',
].join('\n');

function at(text: string, marker: string, delta = 0): ReturnType<typeof nodeAtOffset> {
  const offset = text.indexOf(marker);
  assert.notEqual(offset, -1, marker);
  return nodeAtOffset(parseYamlText(text).locator.doc, offset + delta);
}

test('a key resolves to its path with target key', () => {
  const found = at(TEXT, 'name');
  assert.deepEqual(found?.path, ['name']);
  assert.equal(found?.target, 'key');
});

test('a value inside a sequence item and a flow mapping resolves to its full path', () => {
  const found = at(TEXT, 'fast', 2);
  assert.deepEqual(found?.path, ['steps', 0, 'llm', 'model']);
  assert.equal(found?.target, 'value');
  assert.ok(isScalar(found?.node) && found.node.value === 'fast');
});

test('the offset just after a value still belongs to it (where a typing cursor sits)', () => {
  const found = at(TEXT, 'classify', 'classify'.length);
  assert.deepEqual(found?.path, ['steps', 0, 'id']);
});

test('a half-typed key in a document with errors is still found', () => {
  const found = at(TEXT, '    ll\n', 6);
  assert.deepEqual(found?.path, ['steps', 1, 'll']);
  assert.equal(found?.target, 'key');
});

test('offsets outside the document content and empty documents give undefined', () => {
  assert.equal(nodeAtOffset(parseYamlText('').locator.doc, 0), undefined);
  assert.equal(nodeAtOffset(parseYamlText('# only a comment\n').locator.doc, 3), undefined);
});

test('an offset between entries resolves to the collection that holds them', () => {
  const text = 'a:\n  b: 1\n\n  c: 2\n';
  const found = nodeAtOffset(parseYamlText(text).locator.doc, text.indexOf('\n\n') + 1);
  assert.deepEqual(found?.path, ['a']);
  assert.equal(found?.target, 'value');
});

test('where one node ends and the next begins, the next one wins', () => {
  const text = 'inputs:\n  ticket: 1\nsteps:\n';
  const found = nodeAtOffset(parseYamlText(text).locator.doc, text.indexOf('steps'));
  assert.deepEqual(found?.path, ['steps']);
  assert.equal(found?.target, 'key');
});
