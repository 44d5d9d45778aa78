/** The status bar's words for the active workflow file's version, channels included. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statusLabel } from '../../../client/src/status/status-label.js';

const ID = `sha256:${'ab12cd34'.padEnd(64, '0')}`;

test('a published version names the channels that route to it, with a share below 100 %', () => {
  const label = (channels?: { channel: string; share: number; candidate?: boolean }[]) =>
    statusLabel({
      kind: 'file',
      snapshotOnSave: true,
      version: {
        state: 'valid',
        workflow: 'hello',
        id: ID,
        stored: true,
        seq: 2,
        latestSeq: 2,
        ...(channels ? { channels } : {}),
      },
    } as Parameters<typeof statusLabel>[0]);
  assert.equal(label().text, '$(versions) v2');
  assert.equal(label([{ channel: 'production', share: 100 }]).text, '$(versions) v2 · production');
  const canary = label([
    { channel: 'production', share: 10, candidate: true },
    { channel: 'staging', share: 100 },
  ]);
  assert.equal(canary.text, '$(versions) v2 · production 10%, staging');
  assert.match(canary.tooltip ?? '', /on production 10%, staging/);
});
