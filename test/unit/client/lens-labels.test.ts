/** The lens above `name:` that says which version the file is, and which channels route to it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { versionStateLabel } from '../../../client/src/lenses/lens-labels.js';

const ID = `sha256:${'ab12cd34'.padEnd(64, '0')}`;
const valid = { state: 'valid', workflow: 'hello', id: ID, stored: true } as const;

test('the version lens: its number and channels, unpublished changes, errors, unsaved', () => {
  assert.equal(versionStateLabel({ ...valid, seq: 3, latestSeq: 3 }, false), 'v3');
  assert.equal(
    versionStateLabel(
      {
        ...valid,
        seq: 3,
        channels: [
          { channel: 'production', share: 10, candidate: true },
          { channel: 'staging', share: 100 },
        ],
      },
      false,
    ),
    'v3 · production 10%, staging',
  );
  assert.equal(
    versionStateLabel({ ...valid, latestSeq: 3 }, false),
    'unpublished changes (latest v3)',
  );
  assert.equal(versionStateLabel({ ...valid }, false), 'unpublished');
  assert.equal(versionStateLabel({ state: 'invalid', errors: 2 }, false), 'not runnable: 2 errors');
  assert.equal(versionStateLabel({ ...valid, seq: 3 }, true), 'unsaved changes');
});
