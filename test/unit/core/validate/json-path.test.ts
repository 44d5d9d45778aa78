// How messages name a place in a workflow: a step by its id, by its position only when the id
// cannot name it alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPath } from '../../../../core/src/validate/json-path.js';

const definition = {
  steps: [{ id: 'classify' }, { id: 'twin' }, { id: 'twin' }, {}, { id: 'not an id' }],
};

test('a step is named by its id', () => {
  assert.equal(formatPath(['steps', 0, 'llm', 'model'], definition), 'steps.classify.llm.model');
  assert.equal(formatPath(['steps', 0], definition), 'steps.classify');
});

test('by its position when the id is shared, missing or not an identifier', () => {
  assert.equal(formatPath(['steps', 1, 'id'], definition), 'steps[1].id');
  assert.equal(formatPath(['steps', 2, 'id'], definition), 'steps[2].id');
  assert.equal(formatPath(['steps', 3, 'llm'], definition), 'steps[3].llm');
  assert.equal(formatPath(['steps', 4], definition), 'steps[4]');
  assert.equal(formatPath(['steps', 9], definition), 'steps[9]');
  assert.equal(formatPath(['steps', 0, 'llm']), 'steps[0].llm', 'no definition given');
});

test('other places: keys, list items, odd keys, the top level', () => {
  assert.equal(formatPath(['inputs', 'ticket'], definition), 'inputs.ticket');
  assert.equal(formatPath(['models', 'fast', 'stop', 1], definition), 'models.fast.stop[1]');
  assert.equal(
    formatPath(['steps', 0, 'http', 'headers', 'x-key'], definition),
    'steps.classify.http.headers["x-key"]',
  );
  assert.equal(formatPath([], definition), '(top level)');
});
