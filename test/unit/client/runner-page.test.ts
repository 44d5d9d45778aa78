// The Runner view's page (media/runner.js and runner.css), read as text: it never turns data into
// markup or code, it posts exactly the messages the extension accepts, it speaks through the
// live region, and it takes its colours from the theme only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isFromRunner } from '../../../client/src/webviews/runner/messages.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const PAGE = readFileSync(path.join(REPO_ROOT, 'media/runner.js'), 'utf8');
// The page loads the shared base stylesheet first, then its own.
const STYLES = ['media/webview-base.css', 'media/runner.css']
  .map((file) => readFileSync(path.join(REPO_ROOT, file), 'utf8'))
  .join('\n');
const MESSAGES = readFileSync(
  path.join(REPO_ROOT, 'client/src/webviews/runner/messages.ts'),
  'utf8',
);

/** The `type`s of the `FromRunner` union, read from messages.ts. */
function fromRunnerTypes(): string[] {
  const start = MESSAGES.indexOf('export type FromRunner');
  const end = MESSAGES.indexOf('export function isFromRunner');
  assert.ok(start !== -1 && end > start, 'the test reads messages.ts');
  const union = MESSAGES.slice(start, end);
  return [...union.matchAll(/type:\s*'([^']+)'/g)].map((m) => m[1]!);
}

/** The `type`s of the messages the page posts (`post({ type: '…' …`). */
const postedTypes = () => [...PAGE.matchAll(/post\(\{\s*type:\s*'([^']+)'/g)].map((m) => m[1]!);

test('the runner page builds DOM from text: no innerHTML, no eval, no new Function', () => {
  assert.ok(PAGE.includes('textContent'), 'the test reads the page');
  assert.ok(PAGE.includes('createElement'));
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
  ]) {
    assert.doesNotMatch(PAGE, banned);
  }
});

test('the runner page posts every message the extension accepts, and only those', () => {
  const accepted = fromRunnerTypes();
  assert.ok(accepted.length >= 11, 'the test reads the FromRunner union');
  const posted = new Set(postedTypes());
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

test('the messages the page sends pass isFromRunner; malformed ones do not', () => {
  for (const message of [
    { type: 'ready' },
    { type: 'pickWorkflow', value: 'file:///w/triage.workflow.yaml' },
    { type: 'pickTarget', value: 'triage@3' },
    { type: 'pickMode', value: 'scripted' },
    { type: 'chooseFixtures' },
    { type: 'edit', field: 'count', text: '1.5' },
    { type: 'useRecent', run: '0193a1b2' },
    { type: 'run', texts: { ticket: 'charged twice', urgent: 'false' } },
    { type: 'cancel' },
    { type: 'openDetails' },
    { type: 'replay' },
    { type: 'noticeAction' },
  ]) {
    assert.ok(isFromRunner(message), JSON.stringify(message));
  }
  for (const message of [
    null,
    'ready',
    { type: 'pickMode', value: 'replay' },
    { type: 'edit', field: 'count' },
    { type: 'run', texts: ['a'] },
    { type: 'run', texts: { count: 3 } },
    { type: 'runShell' },
  ]) {
    assert.ok(!isFromRunner(message), JSON.stringify(message));
  }
});

test('the runner page announces progress through the #announcer live region', () => {
  assert.match(PAGE, /getElementById\('announcer'\)/);
  assert.match(PAGE, /announcer\.textContent = /);
  assert.match(PAGE, /\.announcement\b/);
  // The last announcement is kept in the webview state, so showing the view again is quiet.
  assert.match(PAGE, /state\.announced = /);
  assert.match(PAGE, /vscode\.setState\(/);
  assert.doesNotMatch(PAGE, /aria-live/, 'the host page owns the live region');
});

test('the runner page gives tests and labels stable ids', () => {
  for (const id of [
    'workflow',
    'target',
    'mode-live',
    'mode-scripted',
    'choose-fixtures',
    'recent',
    'run',
    'cancel',
    'open-details',
    'notice-action',
  ]) {
    assert.ok(PAGE.includes(`'${id}'`), id);
  }
  assert.ok(PAGE.includes('`field-${name}`'));
  assert.ok(PAGE.includes('`error-${name}`'));
  // Every edit is debounced text, a run carries the texts read from the fields.
  assert.match(PAGE, /DEBOUNCE_MS = 150\b/);
  assert.match(PAGE, /post\(\{ type: 'run', texts \}\)/);
  assert.match(PAGE, /event\.preventDefault\(\);\s*runNow\(\);/);
});

test('the runner styles take colours only from the theme', () => {
  const variables = [...STYLES.matchAll(/var\((--[\w-]+)/g)].map((m) => m[1]!);
  assert.ok(variables.length > 20, 'the test reads the styles');
  assert.deepEqual(
    variables.filter((v) => !v.startsWith('--vscode-')),
    [],
  );
  // No custom properties of its own, no literal colours.
  assert.doesNotMatch(STYLES, /^\s*--[\w-]+\s*:/m);
  assert.doesNotMatch(STYLES, /#[0-9a-f]{3,8}\b|\brgba?\(|\bhsla?\(/i);
  for (const needed of [
    '--vscode-input-background',
    '--vscode-dropdown-background',
    '--vscode-button-background',
    '--vscode-button-secondaryBackground',
    '--vscode-inputValidation-errorBorder',
    '--vscode-errorForeground',
    '--vscode-focusBorder',
    '--vscode-contrastBorder',
    '--vscode-testing-iconPassed',
    '--vscode-testing-iconFailed',
    '--vscode-editor-font-family',
  ]) {
    assert.ok(variables.includes(needed), needed);
  }
  assert.match(STYLES, /\.visually-hidden\s*\{/);
  assert.match(STYLES, /body\.vscode-high-contrast /);
});
