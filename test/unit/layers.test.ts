// The layers of docs/architecture.md, enforced: a file imports only from its own layer and the
// layers listed before it. The list is read from the document, so the document and the code
// cannot drift apart; a new folder must be placed in it before its first file lands.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/paths.js';
import { importsOf, sourceFiles } from '../helpers/source-imports.js';

const ARCHITECTURE = path.join(REPO_ROOT, 'docs/architecture.md');
const SOURCE_ROOTS = ['core/src', 'server/src', 'client/src'];

/** The layer paths (repository-relative), lowest first, from the block after the marker. */
function layerOrder(): string[] {
  const text = readFileSync(ARCHITECTURE, 'utf8');
  const block = /<!-- layer-order: lowest first -->\s*```text\n([\s\S]*?)```/.exec(text);
  assert.ok(block, 'docs/architecture.md has the layer-order block');
  return block[1]!
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((entry) => entry !== '');
}

/** The index of the layer that claims `file` (the longest listed path containing it), or -1. */
function layerOf(layers: readonly string[], file: string): number {
  const relative = path.relative(REPO_ROOT, file).split(path.sep).join('/');
  let best = -1;
  for (const [index, layer] of layers.entries()) {
    const claims = relative === layer || relative.startsWith(`${layer}/`);
    if (claims && (best === -1 || layer.length > layers[best]!.length)) best = index;
  }
  return best;
}

/** Relative imports of every source file, resolved to the imported `.ts` (or `.json`) file. */
function edges(): { from: string; to: string }[] {
  return SOURCE_ROOTS.flatMap((root) => sourceFiles(path.join(REPO_ROOT, root))).flatMap((from) =>
    importsOf(from)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => ({
        from,
        to: path.resolve(path.dirname(from), spec).replace(/\.js$/, '.ts'),
      })),
  );
}

test('every source file belongs to a documented layer', () => {
  const layers = layerOrder();
  const unclaimed = SOURCE_ROOTS.flatMap((root) => sourceFiles(path.join(REPO_ROOT, root)))
    .filter((file) => layerOf(layers, file) === -1)
    .map((file) => path.relative(REPO_ROOT, file));
  assert.deepEqual(unclaimed, []);
});

test('no import runs against the documented layer order', () => {
  const layers = layerOrder();
  const against = edges()
    .filter(({ from, to }) => layerOf(layers, to) > layerOf(layers, from))
    .map(
      ({ from, to }) =>
        `${path.relative(REPO_ROOT, from)} (${layers[layerOf(layers, from)]}) → ` +
        `${path.relative(REPO_ROOT, to)} (${layers[layerOf(layers, to)]})`,
    );
  assert.deepEqual(against, []);
});

test('the layer test sees back-edges (it is not vacuous)', () => {
  const layers = layerOrder();
  // The model imports nothing of ours; the CLI sits above the store: a reversed pair is caught.
  const model = path.join(REPO_ROOT, 'core/src/model/runs.ts');
  const cli = path.join(REPO_ROOT, 'core/src/cli/main.ts');
  assert.ok(layerOf(layers, cli) > layerOf(layers, model));
  assert.ok(edges().length > 300, 'the test reads the imports of the whole tree');
});

test('the shared vocabulary imports nothing of ours', () => {
  const model = path.join(REPO_ROOT, 'core/src/model');
  const outside = sourceFiles(model).flatMap((file) =>
    importsOf(file)
      .filter((spec) => spec.startsWith('.'))
      .filter((spec) => !path.resolve(path.dirname(file), spec).startsWith(model + path.sep))
      .map((spec) => `${path.relative(REPO_ROOT, file)} → ${spec}`),
  );
  assert.deepEqual(outside, []);
});
