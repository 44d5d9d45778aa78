// The comparison tab's page (media/comparison.js and comparison.css), read as text: it never turns
// data into markup or code, it posts exactly the messages the extension accepts (and each of its
// post calls makes a message isFromComparison takes), it reads the view model's fields, it moves
// between changes with F7 / Shift+F7 and says so in the live region, its ids and classes are
// stable, and it takes its colours from the theme only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';
import { isFromComparison } from '../../../client/src/webviews/comparison/messages.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const PAGE = readFileSync(path.join(REPO_ROOT, 'media/comparison.js'), 'utf8');
// The page loads the shared base stylesheet first, then its own.
const OWN_STYLES = readFileSync(path.join(REPO_ROOT, 'media/comparison.css'), 'utf8');
const STYLES = [
  readFileSync(path.join(REPO_ROOT, 'media/webview-base.css'), 'utf8'),
  OWN_STYLES,
].join('\n');
const MESSAGES = readFileSync(
  path.join(REPO_ROOT, 'client/src/webviews/comparison/messages.ts'),
  'utf8',
);
const VIEW_MODEL = readFileSync(
  path.join(REPO_ROOT, 'client/src/webviews/comparison/view-model.ts'),
  'utf8',
);

/** The `type`s of the `FromComparison` union, read from messages.ts. */
function fromComparisonTypes(): string[] {
  const start = MESSAGES.indexOf('export type FromComparison');
  const end = MESSAGES.indexOf('export function isFromComparison');
  assert.ok(start !== -1 && end > start, 'the test reads messages.ts');
  const union = MESSAGES.slice(start, end);
  return [...union.matchAll(/type:\s*'([^']+)'/g)].map((m) => m[1]!);
}

/** The object literals the page posts: the text between `post(` and its closing `)`. */
function postedLiterals(): string[] {
  const literals: string[] = [];
  for (const match of PAGE.matchAll(/\bpost\(\{/g)) {
    let depth = 0;
    const start = match.index + 'post('.length;
    for (let i = start; i < PAGE.length; i++) {
      const c = PAGE[i];
      if (c === '{') depth += 1;
      else if (c === '}' && --depth === 0) {
        literals.push(PAGE.slice(start, i + 1));
        break;
      }
    }
  }
  return literals;
}

/** The property names of an interface of view-model.ts (its top-level `readonly name`s). */
function fieldsOf(name: string): string[] {
  const start = VIEW_MODEL.indexOf(`export interface ${name} {`);
  assert.ok(start !== -1, `the test reads ${name}`);
  const body = VIEW_MODEL.slice(start, VIEW_MODEL.indexOf('\n}', start));
  return [...body.matchAll(/^ {2}readonly (\w+)\??:/gm)].map((m) => m[1]!);
}

test('the comparison page builds DOM from text: no innerHTML, no eval, no inline styles', () => {
  assert.ok(PAGE.startsWith('// @ts-check'), 'checked as JavaScript');
  assert.ok(PAGE.includes('textContent') || PAGE.includes('element('), 'the test reads the page');
  assert.match(PAGE, /globalThis\)\.lockstepDom/, 'built with media/webview-dom.js');
  for (const banned of [
    /\binnerHTML\b/,
    /\bouterHTML\b/,
    /\binsertAdjacentHTML\b/,
    /\bdocument\.write(ln)?\b/,
    /\beval\s*\(/,
    /\bnew\s+Function\b/,
    /\bsetTimeout\(\s*['"`]/,
    /\.setAttribute\(\s*'on/,
    /\.setAttribute\(\s*'style'/,
    // Nothing styled from data: classes only (the CSP allows no inline styles).
    /\.style\b/,
  ]) {
    assert.doesNotMatch(PAGE, banned);
  }
  // One VS Code API, acquired once.
  assert.equal(PAGE.match(/acquireVsCodeApi\(\)/g)?.length, 1);
});

test('the comparison page posts every message the extension accepts, and only those', () => {
  const accepted = fromComparisonTypes();
  assert.deepEqual([...accepted].sort(), [
    'openDefinitionDiff',
    'openDiff',
    'openOutputDiff',
    'openRun',
    'ready',
  ]);
  const posted = new Set([...PAGE.matchAll(/post\(\{\s*type:\s*'([^']+)'/g)].map((m) => m[1]!));
  assert.deepEqual(
    accepted.filter((type) => !posted.has(type)),
    [],
    'a message the page never posts',
  );
  assert.deepEqual(
    [...posted].filter((type) => !accepted.includes(type)),
    [],
    'a message the extension would drop',
  );
  // It says it is ready, last (once its listeners are in place).
  assert.match(PAGE, /post\(\{ type: 'ready' \}\);\s*\}\)\(\);\s*$/);
});

test('every message the comparison page posts passes isFromComparison', () => {
  const literals = postedLiterals();
  assert.ok(literals.length >= 6, 'the test finds the post calls');
  // What the literals read, as the page has them where it posts.
  const scopes = [
    {
      which: 'left',
      row: { path: 'shout', right: { status: 'failed' } },
      path: 'shout',
      part: 'output',
    },
    { which: 'right', row: { path: 'gone' }, path: 'gone', part: 'input' },
  ];
  for (const literal of literals) {
    for (const scope of scopes) {
      const message: unknown = vm.runInNewContext(`(${literal})`, { ...scope });
      assert.ok(isFromComparison(message), `${literal} → ${JSON.stringify(message)}`);
    }
  }
  // A step's path opens the right run at that step (the left one when the step was removed).
  assert.ok(
    literals.some((l) =>
      /type: 'openRun', side: row\.right \? 'right' : 'left', path: row\.path/.test(l),
    ),
  );
  assert.ok(literals.some((l) => /type: 'openRun', side: which \}/.test(l)));
  assert.ok(literals.some((l) => /type: 'openDiff', path, part \}/.test(l)));
  // And malformed ones do not pass.
  for (const message of [
    null,
    'ready',
    { type: 'openRun' },
    { type: 'openRun', side: 'middle' },
    { type: 'openRun', side: 'left', path: 3 },
    { type: 'openDiff', path: 'shout' },
    { type: 'openDiff', path: 'shout', part: 'effects' },
    { type: 'runShell' },
  ]) {
    assert.ok(!isFromComparison(message), JSON.stringify(message));
  }
});

test('the comparison page reads every field of the view model', () => {
  const view = fieldsOf('ComparisonView');
  const row = fieldsOf('ComparisonRow');
  const side = fieldsOf('ComparisonSide');
  assert.ok(view.length >= 8 && row.length >= 13 && side.length >= 6, 'the test reads the model');
  for (const field of view) assert.ok(PAGE.includes(`view.${field}`), `view.${field}`);
  for (const field of row) assert.ok(PAGE.includes(`row.${field}`), `row.${field}`);
  for (const field of side) assert.ok(PAGE.includes(`side.${field}`), `side.${field}`);
  for (const count of ['changed', 'added', 'removed', 'unchanged', 'regressed', 'fixed']) {
    assert.ok(PAGE.includes(`['${count}', `), `the ${count} chip`);
  }
  // Regressed and fixed only when there are some.
  assert.match(PAGE, /\['regressed', counts\.regressed > 0\]/);
  assert.match(PAGE, /\['fixed', counts\.fixed > 0\]/);
  // Inline diffs as lines of parts; long ones as a summary and "Open Diff".
  assert.match(PAGE, /change\.inline/);
  assert.match(PAGE, /change\.lines/);
  assert.match(PAGE, /change\.summary/);
  assert.match(PAGE, /'Open Diff'/);
});

test('the comparison page gives tests and labels stable ids and classes', () => {
  for (const id of [
    'title',
    'summary',
    'chips',
    'only-changed',
    'definition-diff',
    'prev-change',
    'next-change',
    'steps-heading',
    'steps',
    'hidden-note',
    'show-all',
    'no-steps',
    'output',
    'output-diff',
  ]) {
    assert.match(PAGE, new RegExp(`\\.id = '${id}'`), id);
  }
  // The two sides: #side-left / #side-right, their "Open Run" #open-left / #open-right.
  assert.ok(PAGE.includes('card.id = `side-${which}`'));
  assert.ok(PAGE.includes('open.id = `open-${which}`'));
  // Rows: li.row with data-path and data-change, .changed and .first-divergence.
  assert.match(PAGE, /element\('li', 'row'\)/);
  assert.match(PAGE, /dataset\['path'\] = row\.path/);
  assert.match(PAGE, /dataset\['change'\] = row\.change/);
  assert.match(PAGE, /classList\.toggle\('changed', row\.changed\)/);
  assert.match(PAGE, /classList\.toggle\('first-divergence', row\.firstDivergence\)/);
  assert.match(PAGE, /item\.tabIndex = -1/);
  // Chips: li.chip with data-kind.
  assert.match(PAGE, /element\('li', 'chip', /);
  assert.match(PAGE, /dataset\['kind'\] = kind/);
  // Diff lines: div.diff-line of spans .same / .added / .removed.
  assert.match(PAGE, /element\('div', 'diff-line'\)/);
  assert.match(PAGE, /element\('span', kind, part\.text\)/);
  // The steps list is a list, for screen readers too (list-style: none drops it in Safari).
  assert.match(PAGE, /list\.setAttribute\('role', 'list'\)/);
  assert.match(PAGE, /'No steps\.'/);
});

test('only changed steps: on by default, kept in the webview state, hidden steps counted', () => {
  assert.match(PAGE, /'Only changed steps'/);
  assert.match(PAGE, /box\.type = 'checkbox'/);
  // On unless the state says off.
  assert.match(PAGE, /typeof s\['onlyChanged'\] === 'boolean' \? s\['onlyChanged'\] : true/);
  assert.match(PAGE, /state\.onlyChanged = box\.checked;\s*save\(\);/);
  assert.match(PAGE, /vscode\.getState\(\)/);
  assert.match(PAGE, /vscode\.setState\(state\)/);
  assert.match(PAGE, /state\.scrollY = window\.scrollY/);
  assert.match(PAGE, /state\.onlyChanged && !row\.classList\.contains\('changed'\)/);
  assert.match(PAGE, /identical step\$\{hidden === 1 \? '' : 's'\}/);
  // The definitions diff only when the versions differ.
  assert.match(PAGE, /if \(view\.versionsDiffer\) \{/);
  // A render keeps the focused control (by data-focus) and the scroll position.
  assert.match(PAGE, /active\.dataset\['focus'\]/);
  assert.match(PAGE, /findByFocusKey\(focusKey\)/);
  assert.match(PAGE, /window\.scrollTo\(0, scrollY\)/);
});

test('F7 and Shift+F7 move between changed steps and say where through #announcer', () => {
  assert.match(PAGE, /event\.key !== 'F7'/);
  assert.match(PAGE, /moveToChange\(event\.shiftKey \? -1 : 1\)/);
  assert.match(PAGE, /event\.preventDefault\(\);\s*moveToChange/);
  // The buttons do the same, and show their shortcuts.
  assert.match(PAGE, /'Previous Change', 'secondary', \(\) => moveToChange\(-1\)/);
  assert.match(PAGE, /'Next Change', 'secondary', \(\) => moveToChange\(1\)/);
  assert.match(PAGE, /title = 'Previous Change \(Shift\+F7\)'/);
  assert.match(PAGE, /title = 'Next Change \(F7\)'/);
  assert.match(PAGE, /setAttribute\('aria-keyshortcuts', 'Shift\+F7'\)/);
  assert.match(PAGE, /setAttribute\('aria-keyshortcuts', 'F7'\)/);
  // Only changed rows, wrapping; the row gets the focus and scrolls into view.
  assert.match(PAGE, /row\.classList\.contains\('changed'\)/);
  assert.match(PAGE, /\?\? changed\[0\]/);
  assert.match(PAGE, /target\.focus\(/);
  assert.match(PAGE, /target\.scrollIntoView\(/);
  // Said in the host page's live region.
  assert.match(PAGE, /getElementById\('announcer'\)/);
  assert.match(PAGE, /announcer\.textContent = /);
  assert.match(PAGE, /`Change \$\{changed\.indexOf\(target\) \+ 1\} of \$\{changed\.length\}: /);
  assert.match(PAGE, /say\('No changed steps'\)/);
  assert.doesNotMatch(PAGE, /aria-live/, 'the host page owns the live region');
});

test('the comparison styles take colours only from the theme, and diffs do not rely on colour', () => {
  const variables = [...STYLES.matchAll(/var\((--[\w-]+)/g)].map((m) => m[1]!);
  assert.ok(variables.length > 20, 'the test reads the styles');
  assert.deepEqual(
    variables.filter((v) => !v.startsWith('--vscode-')),
    [],
  );
  // No custom properties of its own, no literal colours.
  assert.doesNotMatch(STYLES, /^\s*--[\w-]+\s*:/m);
  assert.doesNotMatch(STYLES, /#[0-9a-f]{3,8}\b|\brgba?\(|\bhsla?\(/i);
  // Nor named ones, in any value.
  assert.doesNotMatch(
    OWN_STYLES,
    /:[^;{}]*\b(red|green|blue|white|black|yellow|orange|gray|grey)\b/i,
  );
  for (const needed of [
    '--vscode-diffEditor-insertedTextBackground',
    '--vscode-diffEditor-removedTextBackground',
    '--vscode-testing-iconPassed',
    '--vscode-testing-iconFailed',
    '--vscode-testing-iconSkipped',
    '--vscode-focusBorder',
    '--vscode-contrastBorder',
    '--vscode-contrastActiveBorder',
    '--vscode-badge-background',
    '--vscode-editor-font-family',
  ]) {
    assert.ok(variables.includes(needed), needed);
  }
  assert.match(OWN_STYLES, /\.removed \{[^}]*text-decoration: line-through/);
  assert.match(OWN_STYLES, /\.added \{[^}]*text-decoration: underline/);
  assert.match(OWN_STYLES, /body\.vscode-high-contrast /);
  assert.match(OWN_STYLES, /body\.vscode-high-contrast-light /);
  // The row F7 focuses shows the focus.
  assert.match(OWN_STYLES, /\.row:focus/);
  assert.match(STYLES, /\.visually-hidden\s*\{/);
});
