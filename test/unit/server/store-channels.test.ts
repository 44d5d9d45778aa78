// The channels the language server knows come from the store's control log, as the CLI writes
// it: read without opening the store, again only when the log changed, damaged lines skipped;
// per workflow and channel, the latest change says where the channel points now.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { channelsIn, storeChannels } from '../../../server/src/store-channels.js';
import { channelWorkspace, ok } from '../../helpers/channel-workspace.js';
import { tempDir } from '../../helpers/temp.js';

test('names of the channels the CLI set, sorted; a new channel is seen once the log changes', async (t) => {
  const dir = await channelWorkspace(t);
  const store = path.join(dir, '.lockstep');
  assert.deepEqual((await storeChannels(store)).names, [], 'publications only');
  await ok(dir, ['promote', 'greet@1', '--channel', 'production']);
  assert.deepEqual((await storeChannels(store)).names, ['production']);
  await ok(dir, ['promote', 'greet@2', '--channel', 'staging']);
  await ok(dir, ['rollback', 'greet', '--channel', 'production']);
  assert.deepEqual((await storeChannels(store)).names, ['production', 'staging']);
});

test('each channel of a workflow as its latest change left it: canary, rollback, emptied', async (t) => {
  const dir = await channelWorkspace(t);
  const store = path.join(dir, '.lockstep');
  const production = async () =>
    (await storeChannels(store)).states.find(
      (s) => s.workflow === 'greet' && s.channel === 'production',
    );
  await ok(dir, ['promote', 'greet@1', '--channel', 'production', '-m', 'First release']);
  const canary = ['canary', 'greet@2', '--channel', 'production', '--weight', '10'];
  await ok(dir, [...canary, '--sticky', 'inputs.who', '-m', 'Shorter replies']);
  const canaried = await production();
  assert.equal(canaried?.revision, 2);
  assert.equal(canaried?.targets?.stable.seq, 1);
  assert.deepEqual(
    [canaried?.targets?.candidate?.seq, canaried?.targets?.candidate?.weight],
    [2, 10],
  );
  assert.equal(canaried?.targets?.sticky, 'inputs.who');
  assert.equal(canaried?.last.action, 'canary');
  assert.equal(canaried?.last.message, 'Shorter replies');
  assert.match(canaried?.last.actor ?? '', /Ada Lovelace/);
  assert.match(canaried?.last.at ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d/);

  await ok(dir, ['rollback', 'greet', '--channel', 'production', '-m', 'Too short']);
  const rolledBack = await production();
  assert.equal(rolledBack?.revision, 3);
  assert.equal(rolledBack?.targets?.candidate, undefined);
  assert.equal(rolledBack?.targets?.stable.seq, 1);
  assert.deepEqual([rolledBack?.last.action, rolledBack?.last.rollsBack], ['rollback', 2]);

  await ok(dir, ['rollback', 'greet', '--channel', 'production', '-m', 'Not yet']);
  const emptied = await production();
  assert.equal(emptied?.revision, 4);
  assert.equal(emptied?.targets, null, 'rolling back the first change empties the channel');
  assert.equal(emptied?.last.rollsBack, 1);
  assert.deepEqual((await storeChannels(store)).names, ['production'], 'still a known name');
});

test('no store, no channels; a damaged or partial line is skipped', async (t) => {
  assert.deepEqual(await storeChannels(path.join(tempDir(t), '.lockstep')), {
    names: [],
    states: [],
  });
  const dir = await channelWorkspace(t);
  await ok(dir, ['promote', 'greet@1', '--channel', 'production']);
  const log = path.join(dir, '.lockstep/control.jsonl');
  appendFileSync(log, '{"type":"channel","channel":"half-writ');
  const read = await storeChannels(path.join(dir, '.lockstep'));
  assert.deepEqual(read.names, ['production']);
  assert.equal(read.states[0]?.targets?.stable.seq, 1);
  assert.deepEqual(channelsIn(Buffer.from('not json\n{}\n')), { names: [], states: [] });
});

test('an automatic abort leaves the channel on its stable version; the latest line wins', () => {
  const v = (seq: number) => ({ version: `sha256:${String(seq).repeat(64)}`, seq });
  const line = (index: number, action: string, to: unknown, actor = 'Ada') =>
    `${JSON.stringify({ index, prev: null, type: 'channel', at: `2026-12-05T10:1${index}:00.000Z`, actor, workflow: 'greet', channel: 'production', action, revision: index, from: null, to, message: `${action}!`, hash: `sha256:${index}` })}\n`;
  const log = Buffer.from(
    line(1, 'promote', { stable: v(1) }) +
      line(2, 'canary', { stable: v(1), candidate: { ...v(2), weight: 20 } }) +
      line(3, 'auto-abort', { stable: v(1) }, 'lockstep (canary health)'),
  );
  const [state, ...rest] = channelsIn(log).states;
  assert.deepEqual(rest, []);
  assert.deepEqual(state, {
    workflow: 'greet',
    channel: 'production',
    targets: { stable: v(1) },
    revision: 3,
    last: {
      action: 'auto-abort',
      actor: 'lockstep (canary health)',
      at: '2026-12-05T10:13:00.000Z',
      message: 'auto-abort!',
    },
  });
});
