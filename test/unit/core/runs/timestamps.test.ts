// Event timestamps from the system clock (no clock given to the runner): each is the time it
// was taken, even though the recording host formats the time only once per millisecond.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { RunEvent } from '../../../../core/src/model/runs.js';
import { runOnce } from '../../../helpers/engine-harness.js';

const WORKFLOW = `name: stamped
steps:
  - id: a
    transform: one
  - id: b
    transform: two
`;

/** Every timestamp an event carries, in journal order. */
function stamps(events: readonly RunEvent[]): string[] {
  return events.flatMap((event) => {
    if (event.type === 'step-started') return [event.at];
    if (event.type === 'step-finished') return [event.record.startedAt, event.record.finishedAt];
    if (event.type === 'effect') return [event.effect.at];
    return [];
  });
}

test('events are stamped with the time they happen, run after run', async () => {
  for (let round = 0; round < 3; round++) {
    const before = Date.now();
    const { events } = await runOnce(WORKFLOW);
    const after = Date.now();
    const times = stamps(events.map((e) => e.event)).map((at) => {
      assert.match(at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      return Date.parse(at);
    });
    assert.ok(times.length >= 4, 'each step is stamped');
    for (const time of times)
      assert.ok(time >= before && time <= after, `${time} in [${before}, ${after}]`);
    assert.deepEqual(
      times,
      [...times].sort((x, y) => x - y),
      'in order',
    );
    await delay(5); // the next round's stamps come from a later millisecond
  }
});
