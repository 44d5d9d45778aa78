/** The Runner's message when the chosen workflow cannot be loaded: the file named once. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadErrorText } from '../../../client/src/runner/load-error.js';

const FILE = '/tmp/w/second/broken.workflow.yaml';

test('a message pointing into the file names it as the picker does, with line and column', () => {
  assert.equal(
    loadErrorText(
      'second/broken.workflow.yaml',
      FILE,
      `${FILE}:13:14: steps.x.transform: unknown input 'whom'`,
    ),
    "second/broken.workflow.yaml:13:14: steps.x.transform: unknown input 'whom'",
  );
});

test('a message that does not name the file is prefixed with it', () => {
  assert.equal(
    loadErrorText('flow.workflow.yaml', FILE, 'the workspace service is not running'),
    'flow.workflow.yaml: the workspace service is not running',
  );
  // A file named only by its folder's path is not mistaken for it.
  assert.equal(
    loadErrorText('a.yaml', FILE, 'cannot read /tmp/w/second'),
    'a.yaml: cannot read /tmp/w/second',
  );
});
