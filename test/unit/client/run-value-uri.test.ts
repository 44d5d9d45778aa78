// `lockstep-run:` URIs: what their path (the tab title) reads and that the query round-trips;
// URIs that are not ours, or not well formed, are refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isRunValuePart,
  parseRunValueQuery,
  runValueTitle,
  runValueUriParts,
  type RunValueRef,
} from '../../../client/src/documents/run-value-uri.js';
import { versionUriParts } from '../../../client/src/documents/version-uri.js';

const FOLDER = 'file:///home/ada/support%20desk';
const RUN = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

test('a step’s value: the title reads well and the query round-trips', () => {
  const ref: RunValueRef = { folder: FOLDER, run: RUN, path: 'classify', part: 'output' };
  const { path, query } = runValueUriParts(ref);
  assert.equal(path, '/0193a1b2 classify output.json');
  assert.deepEqual(parseRunValueQuery(query), ref);
});

test('an effect’s value carries its index (counted from 1 in the title)', () => {
  const ref: RunValueRef = {
    folder: FOLDER,
    run: RUN,
    path: 'notes[a&b=c]',
    part: 'effect-response',
    index: 2,
  };
  const { path, query } = runValueUriParts(ref);
  assert.equal(path, '/0193a1b2 notes[a&b=c] effect-response 3.json');
  assert.deepEqual(parseRunValueQuery(query), ref);
  assert.deepEqual(parseRunValueQuery(runValueUriParts({ ...ref, index: 0 }).query), {
    ...ref,
    index: 0,
  });
});

test('a slash in a step path does not split the title into folders', () => {
  const title = runValueTitle({ folder: FOLDER, run: RUN, path: 'pages[a/b]', part: 'input' });
  assert.equal(title, '0193a1b2 pages[a∕b] input.json');
  assert.ok(!title.includes('/'));
});

test('a foreign or malformed URI is refused', () => {
  const version = versionUriParts({ folder: FOLDER, workflow: 'triage', version: 3 });
  assert.equal(parseRunValueQuery(version.query), undefined);
  assert.equal(parseRunValueQuery(''), undefined);
  const good = new URLSearchParams({ folder: FOLDER, run: RUN, path: 'a', part: 'input' });
  assert.ok(parseRunValueQuery(good.toString()), 'the base case parses');
  const with_ = (changes: Record<string, string | null>) => {
    const params = new URLSearchParams(good);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) params.delete(key);
      else params.set(key, value);
    }
    return parseRunValueQuery(params.toString());
  };
  assert.equal(with_({ part: 'secrets' }), undefined);
  assert.equal(with_({ run: null }), undefined);
  assert.equal(with_({ folder: '' }), undefined);
  assert.equal(with_({ index: '0' }), undefined, 'a step value has no index');
  assert.equal(with_({ part: 'effect-request' }), undefined, 'an effect value needs one');
  assert.equal(with_({ part: 'effect-request', index: '-1' }), undefined);
  assert.equal(with_({ part: 'effect-request', index: '01' }), undefined);
  assert.equal(with_({ part: 'effect-request', index: '1.5' }), undefined);
  assert.deepEqual(with_({ part: 'effect-request', index: '12' })?.index, 12);
});

test('building refuses a ref whose index does not fit its part', () => {
  assert.throws(
    () => runValueUriParts({ folder: FOLDER, run: RUN, path: 'a', part: 'effect-request' }),
    /index/,
  );
  assert.throws(
    () => runValueUriParts({ folder: FOLDER, run: RUN, path: 'a', part: 'input', index: 0 }),
    /index/,
  );
});

test('parts are checked for data from outside', () => {
  for (const part of ['input', 'output', 'effect-request', 'effect-response']) {
    assert.ok(isRunValuePart(part), part);
  }
  assert.ok(!isRunValuePart('effect'));
  assert.ok(!isRunValuePart(undefined));
});

test('the run’s own input and output: path "" reads as the run; effects need a step', () => {
  const ref: RunValueRef = { folder: FOLDER, run: RUN, path: '', part: 'output' };
  const { path, query } = runValueUriParts(ref);
  assert.equal(path, '/0193a1b2 run output.json');
  assert.deepEqual(parseRunValueQuery(query), ref);
  const effect = new URLSearchParams({
    folder: FOLDER,
    run: RUN,
    path: '',
    part: 'effect-request',
    index: '0',
  });
  assert.equal(parseRunValueQuery(effect.toString()), undefined);
});
